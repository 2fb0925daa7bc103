import { neonConfig } from '@neondatabase/serverless';
import { CompiledQuery, Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { libsql } from '../../../src/drivers/libsql/index.js';
import { neon } from '../../../src/drivers/neon/index.js';
import { NeonHttpConnection } from '../../../src/drivers/neon/neon-http-connection.js';
import { edgeDb, isEdgeDbError, resetClusterState } from '../../../src/index.js';
import { isNodeFailure, isUnreachable } from '../../../src/router/execute/node-failure.js';
import { thrown } from '../../support/thrown.js';
import { scriptedFetch, stmtResult } from './libsql/libsql-scripted-fetch.js';

/** The code of the EdgeDbError `run` rejects with, or the error's constructor name. */
async function failure(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    return isEdgeDbError(error) ? error.code : ((error as Error)?.constructor?.name ?? String(error));
  }
  return 'resolved';
}

/** A libSQL HTTP server that refuses every request as unauthorized (a wrong or expired auth token). */
function unauthorized(): { fetch: (input: Request) => Promise<Response>; calls: () => number } {
  let calls = 0;
  return {
    fetch: async () => {
      calls++;
      return new Response('Unauthorized', { status: 401, headers: { 'content-type': 'text/plain' } });
    },
    calls: () => calls,
  };
}

afterEach(() => resetClusterState());

describe('configuration mistakes are refused at construction (14.12)', () => {
  it.each([
    ['an unsupported scheme', { url: 'mysql://db.example.com/app' }, /scheme "mysql:"/],
    ['a URL without a scheme', { url: 'app.db' }, /no scheme/],
    ['file: without createClient', { url: 'file:/tmp/app.db' }, /createClient/],
    [':memory: without createClient', { url: ':memory:' }, /createClient/],
  ])('libsql() with %s', (_what, options, message) => {
    const error = thrown(() => libsql(options));
    expect(isEdgeDbError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('neon() with a plain PostgreSQL host and no Neon-protocol endpoint', () => {
    const error = thrown(() => neon({ url: 'postgres://app:pw@db.example.com/app' }));
    expect(isEdgeDbError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/not a Neon host/);
    expect((error as Error).message).not.toContain('pw');
  });

  it('neon() accepts Neon hosts, and other hosts with an endpoint or a proxy', () => {
    expect(thrown(() => neon({ url: 'postgres://u:p@ep-x-1.us-east-2.aws.neon.tech/db' }))).toBeUndefined();
    expect(
      thrown(() =>
        neon({ url: 'postgres://u:p@db.example.com/app', fetchEndpoint: 'http://127.0.0.1:1/sql' }),
      ),
    ).toBeUndefined();
    expect(
      thrown(() => neon({ url: 'postgres://u:p@db.example.com/app', wsProxy: '127.0.0.1:1/v1' })),
    ).toBeUndefined();
  });
});

describe('non-transient driver errors have their own codes (14.12)', () => {
  it('a libSQL primary refusing the token fails writes and reads with AUTH_FAILED, naming the node', async () => {
    const server = unauthorized();
    const db = edgeDb<{ t: { id: number } }>({
      primary: libsql({ url: 'http://primary.test:8080', fetch: server.fetch, name: 'main-db' }),
    });
    let message = '';
    try {
      await db.insertInto('t').values({ id: 1 }).execute();
    } catch (error) {
      expect(isEdgeDbError(error, 'AUTH_FAILED')).toBe(true);
      message = (error as Error).message;
      expect((error as Error).cause).toBeDefined();
    }
    expect(message).toMatch(/main-db/);
    expect(await failure(() => db.selectFrom('t').selectAll().execute())).toBe('AUTH_FAILED');
    await db.destroy();
  });

  it('a libSQL replica with a wrong token is neither retried on the primary nor ejected', async () => {
    const replicaServer = unauthorized();
    const primaryServer = scriptedFetch(() => stmtResult({ replication_index: '1' }));
    const db = edgeDb<{ t: { id: number } }>({
      primary: libsql({ url: 'http://primary.test:8080', fetch: primaryServer.fetch, name: 'primary' }),
      replicas: [libsql({ url: 'http://replica.test:8080', fetch: replicaServer.fetch, name: 'replica-0' })],
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) outcomes.push(await failure(() => db.selectFrom('t').selectAll().execute()));
    // Every read reached the replica again (an ejected replica would be skipped) and none went to the primary.
    expect(outcomes).toEqual(Array(6).fill('AUTH_FAILED'));
    expect(replicaServer.calls()).toBe(6);
    expect(primaryServer.statements).toHaveLength(0);
    await db.destroy();
  });

  it('libSQL: an unknown namespace is DATABASE_NOT_FOUND, an unresolvable host HOST_NOT_FOUND', async () => {
    const notFound = libsql({
      url: 'http://primary.test:8080',
      fetch: async () =>
        new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } }),
    });
    const noHost = libsql({
      url: 'http://nowhere.test:8080',
      fetch: async () => {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }),
        });
      },
    });
    const missing = new Kysely<Record<string, never>>({ dialect: notFound.dialect });
    const unknown = new Kysely<Record<string, never>>({ dialect: noHost.dialect });
    expect(await failure(() => sql`select 1`.execute(missing))).toBe('DATABASE_NOT_FOUND');
    expect(await failure(() => sql`select 1`.execute(unknown))).toBe('HOST_NOT_FOUND');
    await missing.destroy();
    await unknown.destroy();
  });

  describe('Neon over HTTP', () => {
    const original = neonConfig.fetchFunction;
    afterEach(() => {
      neonConfig.fetchFunction = original;
    });
    const url = 'postgresql://u:p@ep-x-1.us-east-2.aws.neon.tech/db';
    const answer = (body: unknown) => {
      (neonConfig as { fetchFunction: unknown }).fetchFunction = async () =>
        new Response(JSON.stringify(body), { status: 400, headers: { 'content-type': 'application/json' } });
    };

    it.each([
      ['28P01', 'AUTH_FAILED'],
      ['28000', 'AUTH_FAILED'],
      ['3D000', 'DATABASE_NOT_FOUND'],
    ])('SQLSTATE %s becomes %s, naming the node', async (code, expected) => {
      answer({ message: 'refused', code, severity: 'FATAL' });
      const http = new NeonHttpConnection({ url }, 'replica-eu');
      let caught: unknown;
      await http.execute(CompiledQuery.raw('select 1')).catch((error) => {
        caught = error;
      });
      expect(isEdgeDbError(caught, expected as 'AUTH_FAILED')).toBe(true);
      expect((caught as Error).message).toMatch(/replica-eu/);
      expect((caught as { cause?: { code?: string } }).cause?.code).toBe(code);
    });

    it('a host that does not resolve becomes HOST_NOT_FOUND', async () => {
      (neonConfig as { fetchFunction: unknown }).fetchFunction = async () => {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }),
        });
      };
      const http = new NeonHttpConnection({ url }, 'primary');
      expect(await failure(() => http.execute(CompiledQuery.raw('select 1')))).toBe('HOST_NOT_FOUND');
    });
  });
});

describe('node-failure: configuration mistakes of other dialects are no outage (14.12)', () => {
  it.each([
    [
      'a missing database (3D000)',
      Object.assign(new Error('database "x" does not exist'), { code: '3D000' }),
    ],
    [
      'a wrong password (28P01)',
      Object.assign(new Error('password authentication failed'), { code: '28P01' }),
    ],
    [
      'an unknown host (ENOTFOUND)',
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }),
      }),
    ],
  ])('%s is neither a node failure nor unreachable', (_what, error) => {
    expect(isNodeFailure(error)).toBe(false);
    expect(isUnreachable(error)).toBe(false);
  });

  it('a refused connection stays an outage', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isNodeFailure(refused)).toBe(true);
    expect(isUnreachable(refused)).toBe(true);
  });
});
