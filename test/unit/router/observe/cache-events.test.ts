import { afterEach, describe, expect, it } from 'vitest';
import { isolateCache } from '../../../../src/cache/index.js';
import { cacheStats, resetClusterState } from '../../../../src/index.js';
import { recordedRouter } from '../../../support/recorded-router.js';
import { fakeCluster } from '../../../support/recording-dialect.js';

// What the cache decided inside the store (an entry too old for the session's token, a background refresh)
// reached cacheStats but not the route event of the load: the event said `cache: 'miss'` without a reason.

interface DB {
  t: { id: number; v: string };
  other: { id: number };
}

afterEach(() => resetClusterState());

describe('route events of loads the cache decided on agree with cacheStats', () => {
  it('a read whose token is newer than the entry reports a bypass with its reason', async () => {
    const fake = fakeCluster(1);
    const replica = fake.cluster.node('replica-0');
    fake.cluster.primaryPosition = 10n;
    replica.position = 10n;
    replica.rows = [{ v: 'old' }];
    fake.cluster.node('primary').rows = [{ v: 'new' }];
    const open = () => recordedRouter<DB>(fake, 'cache-events', { cache: isolateCache({ ttlMs: 60_000 }) });

    const first = open();
    await first.db.selectFrom('t').selectAll().execute();
    expect(first.events.at(-1)).toMatchObject({ node: 'replica-0', cache: 'miss' });

    // This session writes another table (the primary moves to 20): the entry of `t`, read at 10, stays in
    // the cache but is too old for it.
    const writer = open();
    await writer.db.insertInto('other').values({ id: 2 }).execute();
    expect(await writer.db.selectFrom('t').selectAll().execute()).toEqual([{ v: 'new' }]);
    expect(writer.events.at(-1)).toMatchObject({
      node: 'primary',
      cache: 'bypass',
      cacheReason: 'token-newer-than-entry',
    });
    expect(await cacheStats(writer.db)).toMatchObject({ hits: 0, misses: 1, bypasses: 1 });
  });

  it('the load of a stale-while-revalidate refresh says it is a refresh', async () => {
    const fake = fakeCluster(1);
    fake.cluster.node('replica-0').rows = [{ v: 'a' }];
    let now = 1_000_000;
    const open = () =>
      recordedRouter<DB>(fake, 'cache-refresh', {
        cache: isolateCache({ ttlMs: 1_000, swrMs: 60_000 }),
        consistency: 'eventual',
        now: () => now,
      });
    const first = open();
    await first.db.selectFrom('t').selectAll().execute();
    now += 5_000;
    const second = open();
    await second.db.selectFrom('t').selectAll().execute();
    // The stale serve, then the refresh's own load (it runs after the stale rows were handed back).
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(second.events.map((e) => [e.node, e.cache, e.cacheReason])).toEqual([
      ['cache', 'stale', undefined],
      ['replica-0', 'miss', 'refresh'],
    ]);
    expect(await cacheStats(second.db)).toMatchObject({ misses: 1, stale: 1 });
  });
});
