import { neonConfig } from '@neondatabase/serverless';
import { CompiledQuery } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { libsql } from '../../../src/drivers/libsql/index.js';
import { LibsqlConnection } from '../../../src/drivers/libsql/libsql-connection.js';
import { NeonConnection } from '../../../src/drivers/neon/neon-connection.js';
import { NeonHttpConnection } from '../../../src/drivers/neon/neon-http-connection.js';
import { edgeDb, resetClusterState } from '../../../src/index.js';
import { scriptedFetch, stmtResult } from './libsql/libsql-scripted-fetch.js';

/** A fetch that never answers: it settles only when its request's signal aborts. Records that signal. */
function hangingFetch() {
  const signals: AbortSignal[] = [];
  const fetch = (_input: unknown, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal;
    if (!signal) return new Promise(() => {});
    signals.push(signal);
    return new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  };
  return { fetch, signals };
}

afterEach(() => resetClusterState());

describe('an attempt signal cancels the HTTP request (14.11)', () => {
  it('libSQL: executeQuery(query, { signal }) aborts the fetch with the signal’s reason', async () => {
    const server = hangingFetch();
    const backend = libsql({ url: 'http://127.0.0.1:1', fetch: server.fetch, requestTimeoutMs: 60_000 });
    const driver = backend.dialect.createDriver();
    await driver.init();
    const connection = await driver.acquireConnection();
    if (!LibsqlConnection.is(connection)) throw new Error('not a libSQL connection');
    const controller = new AbortController();
    const running = connection.executeQuery(CompiledQuery.raw('select 1'), { signal: controller.signal });
    const outcome = running.then(
      () => 'resolved',
      (error) => error,
    );
    while (server.signals.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const reason = new Error('lost the hedge');
    controller.abort(reason);
    // Checked before awaiting: a request that ignores the signal would leave the read running.
    expect(server.signals[0]?.aborted).toBe(true);
    expect(await outcome).toBe(reason);
    await driver.releaseConnection(connection);
    await driver.destroy();
  });

  describe('Neon over HTTP', () => {
    const original = neonConfig.fetchFunction;
    afterEach(() => {
      neonConfig.fetchFunction = original;
    });

    it('executeQuery(query, { signal }) aborts the fetch', async () => {
      const server = hangingFetch();
      (neonConfig as { fetchFunction: unknown }).fetchFunction = server.fetch;
      const config = { url: 'postgresql://u:p@ep-x-1.us-east-2.aws.neon.tech/db', requestTimeoutMs: 60_000 };
      const connection = new NeonConnection(config, new NeonHttpConnection(config));
      const controller = new AbortController();
      const outcome = connection
        .executeQuery(CompiledQuery.raw('select 1'), { signal: controller.signal })
        .then(
          () => 'resolved',
          () => 'rejected',
        );
      while (server.signals.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      controller.abort(new Error('cancelled'));
      expect(server.signals[0]?.aborted).toBe(true);
      expect(await outcome).toBe('rejected');
      expect((server.signals[0]?.reason as Error | undefined)?.message).toBe('cancelled');
    });
  });

  it('router: a hedged replica that lost the race has its request aborted, not left running', async () => {
    const replica = hangingFetch();
    const primary = scriptedFetch(() =>
      stmtResult({ cols: [{ name: 'n', decltype: 'INTEGER' }], rows: [[{ type: 'integer', value: '1' }]] }),
    );
    const db = edgeDb<{ t: { n: number } }>({
      primary: libsql({ url: 'http://primary.test:8080', fetch: primary.fetch, name: 'primary' }),
      replicas: [
        libsql({
          url: 'http://replica.test:8080',
          fetch: replica.fetch,
          name: 'replica-0',
          requestTimeoutMs: 60_000,
        }),
      ],
      hedge: { afterMs: 1 },
    });
    expect(await db.selectFrom('t').selectAll().execute()).toEqual([{ n: 1 }]);
    expect(replica.signals).toHaveLength(1);
    expect(replica.signals[0]?.aborted).toBe(true);
    await db.destroy();
  });
});
