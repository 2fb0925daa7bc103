import { afterEach, describe, expect, it } from 'vitest';
import { isolateCache, type QueryCacheStore } from '../../../src/cache/index.js';
import { QueryCache } from '../../../src/cache/query-cache.js';
import {
  configureIsolate,
  type EdgeDbConfig,
  isEdgeDbError,
  resetClusterState,
  route,
} from '../../../src/index.js';
import { isolateCacheIfCreated } from '../../../src/router/cluster/isolate-cache.js';
import { recordedRouter } from '../../support/recorded-router.js';
import { fakeCluster } from '../../support/recording-dialect.js';
import { thrown } from '../../support/thrown.js';

interface DB {
  person: { id: number; name: string };
}

afterEach(() => {
  configureIsolate({ cacheBytes: 8 * 1024 * 1024 });
  resetClusterState();
});

const instance = (fake: ReturnType<typeof fakeCluster>, config: Partial<EdgeDbConfig> = {}) =>
  recordedRouter<DB>(fake, 'cache-option', config);

describe('the cache option comes from edge-db/cache', () => {
  it.each([
    ['the old plain options object', { ttlMs: 2_000 }],
    ['an empty object', {}],
    ['true', true],
  ])('refuses %s at construction, saying where the cache is', (_what, cache) => {
    const fake = fakeCluster(1);
    const error = thrown(() => instance(fake, { cache: cache as never }));
    expect(isEdgeDbError(error) && error.code).toBe('CONFIG_INVALID');
    expect((error as Error).message).toContain("import { isolateCache } from 'edge-db/cache'");
    expect((error as Error).message).toMatch(/Workers that do not cache do not ship it/);
  });

  it('a hint asking for the cache on an instance without the option fails that query with CONFIG_INVALID', async () => {
    const fake = fakeCluster(1);
    const { db } = instance(fake);
    for (const hint of [true, { ttlMs: 5_000 }] as const) {
      const error = await route(db, { cache: hint })
        .selectFrom('person')
        .selectAll()
        .execute()
        .catch((e: unknown) => e);
      expect(isEdgeDbError(error) && error.code).toBe('CONFIG_INVALID');
      expect((error as Error).message).toContain('cache: isolateCache({ allReads: false })');
    }
    // Refused before any node was asked, and no store was created for it.
    expect(fake.cluster.statementsOn('replica-0')).toEqual([]);
    expect(isolateCacheIfCreated()).toBeUndefined();
    // Reads without the hint, and with `cache: false`, run as before.
    await db.selectFrom('person').selectAll().execute();
    await route(db, { cache: false }).selectFrom('person').selectAll().execute();
    expect(fake.cluster.statementsOn('replica-0')).toHaveLength(2);
    expect(isolateCacheIfCreated()).toBeUndefined();
  });

  it('with allReads: false, only hinted reads are cached', async () => {
    const fake = fakeCluster(1);
    const { db, events } = instance(fake, { cache: isolateCache({ ttlMs: 60_000, allReads: false }) });
    await db.selectFrom('person').selectAll().execute();
    await db.selectFrom('person').selectAll().execute();
    expect(events.map((e) => e.cache)).toEqual([undefined, undefined]);
    const hinted = route(db, { cache: true });
    await hinted.selectFrom('person').selectAll().execute();
    await hinted.selectFrom('person').selectAll().execute();
    expect(events.slice(2).map((e) => e.cache)).toEqual(['miss', 'hit']);
  });

  it("creates the isolate's one store on first use, with configureIsolate's budget, for every instance", async () => {
    configureIsolate({ cacheBytes: 64 * 1024 });
    const budgets: number[] = [];
    const counted = {
      ...isolateCache({ ttlMs: 60_000 }),
      createStore: (budgetBytes: number): QueryCacheStore => {
        budgets.push(budgetBytes);
        return new QueryCache({ maxBytes: budgetBytes });
      },
    };
    const fake = fakeCluster(1);
    const first = instance(fake, { cache: counted });
    expect(budgets).toEqual([]); // nothing is created before a read needs it
    await first.db.selectFrom('person').selectAll().execute();
    const second = instance(fake, { cache: counted });
    await second.db.selectFrom('person').selectAll().execute();
    expect(budgets).toEqual([64 * 1024]);
    expect(second.events.at(-1)).toMatchObject({ node: 'cache', cache: 'hit' });
  });

  it('a write through an instance without the option still drops what another instance cached', async () => {
    const fake = fakeCluster(1);
    const cached = instance(fake, { cache: isolateCache({ ttlMs: 60_000 }), consistency: 'eventual' });
    await cached.db.selectFrom('person').selectAll().execute();
    await cached.db.selectFrom('person').selectAll().execute();
    expect(cached.events.at(-1)).toMatchObject({ cache: 'hit' });
    const plain = instance(fake);
    await plain.db.updateTable('person').set({ name: 'x' }).execute();
    await cached.db.selectFrom('person').selectAll().execute();
    expect(cached.events.at(-1)).toMatchObject({ node: 'replica-0', cache: 'miss' });
  });
});
