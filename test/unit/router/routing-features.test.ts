import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { isolateCache } from '../../../src/cache/index.js';
import { type EdgeDbConfig, edgeDb, type RouteEvent, resetClusterState, route } from '../../../src/index.js';
import { regions } from '../../../src/regions/index.js';
import { postgresTokenAt } from '../../support/postgres-token.js';
import { recordedRouter } from '../../support/recorded-router.js';
import { fakeCluster } from '../../support/recording-dialect.js';

interface DB {
  person: { id: number; name: string };
  pet: { id: number; owner: number };
}

afterEach(() => resetClusterState());

const instance = (fake: ReturnType<typeof fakeCluster>, config: Partial<EdgeDbConfig> = {}) =>
  recordedRouter<DB>(fake, 'features', { regions, ...config });

describe('cache in the router', () => {
  it('serves a repeated read from the cache and drops it when this isolate writes the table', async () => {
    const fake = fakeCluster(1);
    const { db, events } = instance(fake, { cache: isolateCache({ ttlMs: 60_000 }) });
    const reads = () => fake.cluster.statementsOn('replica-0').length;
    await db.selectFrom('person').selectAll().execute();
    await db.selectFrom('pet').selectAll().execute();
    expect(reads()).toBe(2);
    expect(events.at(-1)).toMatchObject({ node: 'replica-0', cache: 'miss' });
    await db.selectFrom('person').selectAll().execute();
    expect(reads()).toBe(2);
    expect(events.at(-1)).toMatchObject({ node: 'cache', cache: 'hit' });
    await db.updateTable('person').set({ name: 'x' }).execute();
    fake.cluster.node('replica-0').position = fake.cluster.primaryPosition;
    await db.selectFrom('person').selectAll().execute();
    expect(events.at(-1)).toMatchObject({ node: 'replica-0', cache: 'miss' });
    // pet was not written: still cached, and its entry is not older than... it is: the session now requires the
    // write's position, so the pet entry (read before the write) must not be served either
    await db.selectFrom('pet').selectAll().execute();
    expect(events.at(-1)?.node).toBe('replica-0');
  });

  it('never serves an entry older than a token from another instance', async () => {
    const fake = fakeCluster(1);
    fake.cluster.node('replica-0').position = 10n;
    const first = instance(fake, { cache: isolateCache({ ttlMs: 60_000 }) });
    await first.db.selectFrom('person').selectAll().execute();
    // a write elsewhere (another isolate): the primary and the replica move on, this isolate's cache does not know
    fake.cluster.primaryPosition = 50n;
    fake.cluster.node('replica-0').position = 50n;
    const token = await postgresTokenAt('features', 50n);
    const second = instance(fake, { cache: isolateCache({ ttlMs: 60_000 }), consistency: { token } });
    await second.db.selectFrom('person').selectAll().execute();
    expect(second.events.at(-1)).toMatchObject({
      node: 'replica-0',
      cache: 'bypass',
      cacheReason: 'token-newer-than-entry',
    });
    // without a token, a third session may use the (now refreshed) entry
    const third = instance(fake, { cache: isolateCache({ ttlMs: 60_000 }) });
    await third.db.selectFrom('person').selectAll().execute();
    expect(third.events.at(-1)).toMatchObject({ node: 'cache', cache: 'hit' });
  });

  it('bypasses volatile reads, strong reads and transactions; caches hinted reads without instance config', async () => {
    const fake = fakeCluster(1);
    const { db, events } = instance(fake, { cache: isolateCache({ ttlMs: 60_000 }) });
    await sql`select now()`.execute(db);
    await sql`select now()`.execute(db);
    expect(events.at(-1)).toMatchObject({ cache: 'bypass', cacheReason: 'volatile-function' });
    await route(db, { consistency: 'strong' }).selectFrom('person').selectAll().execute();
    expect(events.at(-1)).toMatchObject({ node: 'primary', cache: 'bypass' });
    await db.transaction().execute((trx) => trx.selectFrom('pet').selectAll().execute());
    await db.transaction().execute((trx) => trx.selectFrom('pet').selectAll().execute());
    expect(fake.cluster.statementsOn('primary').filter((s) => s.includes('"pet"'))).toHaveLength(2);

    resetClusterState();
    // Only hinted reads: `allReads: false` (a hint without any cache option is refused, see cache-option.test.ts).
    const plain = instance(fakeCluster(1), { cache: isolateCache({ allReads: false }) });
    const hinted = route(plain.db, { cache: { ttlMs: 10_000, tags: ['people'] } });
    await hinted.selectFrom('person').selectAll().execute();
    await hinted.selectFrom('person').selectAll().execute();
    expect(plain.events.at(-1)).toMatchObject({ cache: 'hit' });
    await plain.db.selectFrom('person').selectAll().execute();
    expect(plain.events.at(-1)?.cache).toBeUndefined();
  });

  it('invalidates tables written inside a transaction at commit', async () => {
    const fake = fakeCluster(1);
    const { db, events } = instance(fake, {
      cache: isolateCache({ ttlMs: 60_000 }),
      consistency: 'eventual',
    });
    await db.selectFrom('pet').selectAll().execute();
    await db.transaction().execute((trx) => trx.insertInto('pet').values({ id: 1, owner: 1 }).execute());
    await db.selectFrom('pet').selectAll().execute();
    expect(events.at(-1)).toMatchObject({ node: 'replica-0', cache: 'miss' });
  });
});

describe('health, location and hedging', () => {
  it('ejects a failing replica after consecutive failures and stops trying it', async () => {
    const fake = fakeCluster(2);
    const { db, events } = instance(fake, { consistency: 'eventual', location: { region: 'fra' } });
    // replica-0 near the caller, replica-1 far
    const near = { ...fake.replicas[0]!, region: 'fra' };
    const far = { ...fake.replicas[1]!, region: 'syd' };
    const located = edgeDb<DB>({
      primary: fake.primary,
      replicas: [near, far],
      cluster: 'features',
      location: { region: 'fra' },
      onRoute: (e) => events.push(e),
      regions,
    });
    void db;
    fake.cluster.node('replica-1').delayMs = 30; // measured slower than the near replica once it answers
    await located.selectFrom('person').selectAll().execute();
    expect(events.at(-1)?.node).toBe('replica-0');
    fake.cluster.node('replica-0').failWith = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    for (let i = 0; i < 3; i++) await located.selectFrom('person').selectAll().execute();
    expect(events.at(-1)?.attempts.map((a) => a.node)).toEqual(['replica-0', 'replica-1']);
    // ejected now: reads go straight to replica-1 and the app never saw an error
    await located.selectFrom('person').selectAll().execute();
    expect(events.at(-1)?.attempts.map((a) => `${a.node}:${a.outcome}`)).toEqual(['replica-1:ok']);
  });

  it('rejects unknown region codes at construction', () => {
    const fake = fakeCluster(1);
    expect(() =>
      edgeDb({ primary: { ...fake.primary, region: 'atlantis-9' }, replicas: fake.replicas, regions }),
    ).toThrow(/atlantis-9/);
  });

  it('hedges a slow replica read to the next choice and takes the first answer', async () => {
    const fake = fakeCluster(2);
    const { db, events } = instance(fake, {
      consistency: 'eventual',
      hedge: { afterMs: 20 },
      readPreference: 'replica',
    });
    fake.cluster.node('replica-0').delayMs = 400;
    fake.cluster.node('replica-1').delayMs = 400;
    // whichever is tried first is slow; make the second fast right after the first starts
    const started = Date.now();
    const pending = db.selectFrom('person').selectAll().execute();
    await new Promise((r) => setTimeout(r, 5));
    const first = fake.cluster.log.length === 0 ? undefined : fake.cluster.log[0]!.node;
    for (const node of fake.cluster.nodes.values())
      if (node.name !== first && node.role === 'replica') node.delayMs = 0;
    await pending;
    const event = events.at(-1)!;
    expect(event.reason).toBe('hedged');
    expect(event.attempts.map((a) => a.outcome).sort()).toEqual(['aborted', 'ok']);
    expect(Date.now() - started).toBeLessThan(400);
    // the losing connection is released once its query finishes
    await new Promise((r) => setTimeout(r, 450));
    expect(fake.cluster.openConnections()).toEqual([]);
  });
});

describe('cache controls', () => {
  it('reports stats and invalidates by tag', async () => {
    const { cacheStats, invalidateCache } = await import('../../../src/index.js');
    const fake = fakeCluster(1);
    const { db } = instance(fake, { consistency: 'eventual', cache: isolateCache({ allReads: false }) });
    const tagged = route(db, { cache: { ttlMs: 60_000, tags: ['people'] } });
    await tagged.selectFrom('person').selectAll().execute();
    await tagged.selectFrom('person').selectAll().execute();
    expect(await cacheStats(db)).toMatchObject({ hits: 1, misses: 1, entries: 1 });
    expect(await invalidateCache(db, { tags: ['people'] })).toBe(1);
    await tagged.selectFrom('person').selectAll().execute();
    expect(await cacheStats(db)).toMatchObject({ hits: 1, misses: 2 });
  });
});

describe('waiting briefly for a replica', () => {
  it('waits for a nearly caught-up replica instead of going to a slower primary, within the budget', async () => {
    const fake = fakeCluster(1);
    const { db, events } = instance(fake, { consistency: { waitBudgetMs: 100 } });
    const replica = fake.cluster.node('replica-0');
    fake.cluster.node('primary').delayMs = 40;
    // measure both round trips
    await db.selectFrom('person').selectAll().execute();
    await route(db, { consistency: 'strong' }).selectFrom('pet').selectAll().execute();
    // a write the replica has not applied: no lag estimate yet, so the read falls back to the primary
    await db.insertInto('person').values({ id: 1, name: 'a' }).execute();
    await db.selectFrom('person').select('id').execute();
    expect(events.at(-1)?.attempts.map((a) => `${a.node}:${a.outcome}`)).toEqual([
      'replica-0:behind',
      'primary:ok',
    ]);
    // next time the replica is known to lag a little: asked again after a short wait, it has caught up
    await db.insertInto('person').values({ id: 2, name: 'b' }).execute();
    replica.onBehind = () => {
      replica.position = fake.cluster.primaryPosition;
    };
    await db.selectFrom('person').select('name').execute();
    expect(events.at(-1)?.attempts.map((a) => `${a.node}:${a.outcome}`)).toEqual(['replica-0:ok']);
  });

  it('does not wait when the budget is zero', async () => {
    const fake = fakeCluster(1);
    const { db, events } = instance(fake, { consistency: { waitBudgetMs: 0 } });
    const replica = fake.cluster.node('replica-0');
    fake.cluster.node('primary').delayMs = 40;
    await db.selectFrom('person').selectAll().execute();
    await route(db, { consistency: 'strong' }).selectFrom('pet').selectAll().execute();
    await db.insertInto('person').values({ id: 1, name: 'a' }).execute();
    await db.selectFrom('person').select('id').execute();
    await db.insertInto('person').values({ id: 2, name: 'b' }).execute();
    replica.onBehind = () => {
      replica.position = fake.cluster.primaryPosition;
    };
    await db.selectFrom('person').select('name').execute();
    expect(events.at(-1)?.attempts.map((a) => `${a.node}:${a.outcome}`)).toEqual([
      'replica-0:behind',
      'primary:ok',
    ]);
  });
});

describe('nearest read preference', () => {
  it('ranks the primary with the replicas and reads from it when it is the nearest node', async () => {
    const fake = fakeCluster(1);
    const events: RouteEvent[] = [];
    const db = edgeDb<DB>({
      primary: { ...fake.primary, region: 'fra' },
      replicas: [{ ...fake.replicas[0]!, region: 'syd' }],
      cluster: 'nearest',
      location: { region: 'fra' },
      readPreference: 'nearest',
      onRoute: (e) => events.push(e),
      regions,
    });
    await db.selectFrom('person').selectAll().execute();
    expect(events.at(-1)?.node).toBe('primary');
    const replicaFirst = edgeDb<DB>({
      primary: { ...fake.primary, region: 'fra' },
      replicas: [{ ...fake.replicas[0]!, region: 'syd' }],
      cluster: 'nearest-2',
      location: { region: 'syd' },
      readPreference: 'nearest',
      onRoute: (e) => events.push(e),
      regions,
    });
    await replicaFirst.selectFrom('person').selectAll().execute();
    expect(events.at(-1)?.node).toBe('replica-0');
  });
});
