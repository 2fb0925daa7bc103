import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type DatabaseConnection,
  type Dialect,
  type Driver,
  DummyDriver,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { isolateCache } from '../../../../src/cache/index.js';
import { libsql } from '../../../../src/drivers/libsql/index.js';
import { neon } from '../../../../src/drivers/neon/index.js';
import { cacheStats, edgeDb, isEdgeDbError, resetClusterState } from '../../../../src/index.js';
import { fakeCluster } from '../../../support/recording-dialect.js';

/** A non-Neon host needs a Neon-protocol endpoint, or neon() refuses it (CONFIG_INVALID). */
const PROXY = 'https://proxy.example.com/sql';

afterEach(() => resetClusterState());

/** A dialect answering every statement with one row, in process. */
function stubDialect(row: Record<string, unknown>): Dialect {
  class RowDriver extends DummyDriver {
    override async acquireConnection(): Promise<DatabaseConnection> {
      return {
        executeQuery: async <R>() => ({ rows: [row as R] }),
        async *streamQuery() {},
      };
    }
  }
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: (): Driver => new RowDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
}

function configError(make: () => unknown): string | undefined {
  try {
    make();
  } catch (error) {
    return isEdgeDbError(error, 'CONFIG_INVALID') ? error.message : `not CONFIG_INVALID: ${String(error)}`;
  }
  return undefined;
}

describe('cluster registry', () => {
  it('keeps two databases with default node names apart: no shared cache entries or positions', async () => {
    const a = fakeCluster(1);
    const b = fakeCluster(1);
    a.cluster.node('primary').rows = [{ tenant: 'a' }];
    a.cluster.node('replica-0').rows = [{ tenant: 'a' }];
    b.cluster.node('primary').rows = [{ tenant: 'b' }];
    b.cluster.node('replica-0').rows = [{ tenant: 'b' }];
    const dbA = edgeDb<any>({ primary: a.primary, replicas: a.replicas, cache: isolateCache() });
    const dbB = edgeDb<any>({ primary: b.primary, replicas: b.replicas, cache: isolateCache() });
    expect(await dbA.selectFrom('t').selectAll().execute()).toEqual([{ tenant: 'a' }]);
    expect(await dbB.selectFrom('t').selectAll().execute()).toEqual([{ tenant: 'b' }]);
    expect((await cacheStats(dbB)).hits).toBe(0);
    // B's replica is behind B's write; A's replica being far ahead must not vouch for it.
    a.cluster.node('replica-0').position = 1_000n;
    await dbA.selectFrom('t').selectAll().execute();
    await dbB.insertInto('t').values({ id: 1 }).execute();
    b.cluster.node('replica-0').position = 0n;
    await dbB.selectFrom('t').select('id').execute();
    expect(b.cluster.whoRan('select "id"')).toBe('primary');
  });

  it('gives instances of one cluster name with different replica lists their nodes (no TypeError)', async () => {
    const { primary, replicas } = fakeCluster(3);
    const one = edgeDb<any>({ cluster: 'shared', primary, replicas: [replicas[0]!] });
    const other = edgeDb<any>({ cluster: 'shared', primary, replicas: [replicas[1]!, replicas[2]!] });
    await expect(one.selectFrom('t').selectAll().execute()).resolves.toBeDefined();
    await expect(other.selectFrom('t').selectAll().execute()).resolves.toBeDefined();
  });

  it('rejects instances of one cluster that disagree on health options', () => {
    const { primary, replicas } = fakeCluster(1);
    edgeDb({ cluster: 'h', primary, replicas, health: { consecutiveFailures: 3 } });
    expect(
      configError(() => edgeDb({ cluster: 'h', primary, replicas, health: { consecutiveFailures: 5 } })),
    ).toMatch(/health/);
  });

  it('refuses the cache for a plain dialect that cannot be told apart from another database', () => {
    const plain = { dialect: stubDialect({ n: 1 }) };
    expect(configError(() => edgeDb({ primary: plain, cache: isolateCache() }))).toMatch(/cluster/);
    expect(
      configError(() => edgeDb({ primary: plain, cluster: 'app', cache: isolateCache() })),
    ).toBeUndefined();
  });

  it('refuses a primary and a replica of different database engines', () => {
    const pg = neon({ url: 'postgres://u:p@primary.example.com/app', fetchEndpoint: PROXY });
    const sqlite = libsql({ url: 'http://replica.example.com:8080' });
    expect(configError(() => edgeDb({ primary: pg, replicas: [sqlite] }))).toMatch(/same database engine/);
  });

  it('identifies drivers by URL and a hash of the credentials, never the secret itself', () => {
    const admin = neon({ url: 'postgres://admin:s3cret@db.example.com/app', fetchEndpoint: PROXY });
    const reader = neon({ url: 'postgres://reader:other@db.example.com/app', fetchEndpoint: PROXY });
    expect(admin.id).not.toBe(reader.id);
    expect(admin.id).not.toContain('s3cret');
    expect(admin.id?.startsWith('postgres://db.example.com/app#')).toBe(true);
    const tokenA = libsql({ url: 'http://db.example.com:8080', authToken: 'token-a' });
    const tokenB = libsql({ url: 'http://db.example.com:8080', authToken: 'token-b' });
    expect(tokenA.id).not.toBe(tokenB.id);
    expect(tokenA.id).not.toContain('token-a');
  });

  it('keeps 100,000 clusters that each cached a row within the isolate budget', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const measure = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const dialect = stubDialect({ id: 1, body: 'x'.repeat(200) });
    const before = measure();
    for (let i = 0; i < 100_000; i++) {
      const db = edgeDb<any>({ primary: { dialect, id: `tenant-${i}` }, cache: isolateCache() });
      await sql`select * from note where tenant = ${i}`.execute(db);
    }
    const grownMiB = (measure() - before) / 1024 / 1024;
    console.info(`heap grew ${grownMiB.toFixed(1)} MiB for 100,000 clusters`);
    // 8 MiB of cache budget plus 1,024 clusters' learnt state; main grew by one cache per cluster.
    expect(grownMiB).toBeLessThan(24);
  }, 120_000);
});

describe('configuration is checked at construction', () => {
  const { primary, replicas } = fakeCluster(1);
  it.each([
    ['a secret that is not a string, bytes or key', { consistency: { secret: 12345 } }, /secret/],
    ['a fractional attempt count', { maxReplicaAttempts: 1.5 }, /maxReplicaAttempts/],
    ['an unknown invalid-token policy', { consistency: { onInvalidToken: 'explode' } }, /onInvalidToken/],
    ['a cache that is not an object', { cache: 'yes' }, /cache/],
    [
      'an attempt deadline past the statement deadline',
      { timeoutMs: 100, attemptTimeoutMs: 500 },
      /attemptTimeoutMs/,
    ],
    ['bad health options', { health: { consecutiveFailures: 0 } }, /health.consecutiveFailures/],
    ['a negative cache TTL', { cache: isolateCache({ ttlMs: -1 }) }, /cache.ttlMs/],
    ['a non-function observer', { onRoute: 'log' }, /onRoute/],
  ])('%s', (_what, extra, message) => {
    expect(configError(() => edgeDb({ primary, replicas, ...(extra as object) }))).toMatch(message);
  });

  it('the same database as primary and replica', () => {
    const url = 'postgres://u:p@db.example.com/app';
    expect(
      configError(() =>
        edgeDb({
          primary: neon({ url, fetchEndpoint: PROXY }),
          replicas: [neon({ url, name: 'r', fetchEndpoint: PROXY })],
        }),
      ),
    ).toMatch(/same database/);
  });

  it('applies cache TTLs per instance', async () => {
    let now = 0;
    const dialect = stubDialect({ n: 1 });
    const backend = { dialect, id: 'ttl-db' };
    const long = edgeDb<any>({ primary: backend, cache: isolateCache({ ttlMs: 10_000 }), now: () => now });
    await sql`select 1`.execute(long);
    now = 300;
    const events: string[] = [];
    const observed = edgeDb<any>({
      primary: backend,
      cache: isolateCache({ ttlMs: 1 }),
      now: () => now,
      onRoute: (event) => events.push(event.cache ?? 'none'),
    });
    await sql`select 1`.execute(observed);
    expect(events).toEqual(['miss']);
  });
});
