import { afterEach, describe, expect, it } from 'vitest';
import { isolateCache } from '../../../../src/cache/index.js';
import { resetClusterState, route } from '../../../../src/index.js';
import { recordedRouter } from '../../../support/recorded-router.js';
import { fakeCluster } from '../../../support/recording-dialect.js';

// Issue 14.5: cache entries without a position (loaded from the primary, or through adapters that cannot
// piggy-back) were served to a fresh session, whose next read could go back in time on a lagging replica.

interface DB {
  t: { id: number; v: string };
}

afterEach(() => resetClusterState());

describe('monotonic reads through the cache (14.5)', () => {
  it('a session served an entry of unknown position does not then read an older replica', async () => {
    const fake = fakeCluster(1);
    const primary = fake.cluster.node('primary');
    const replica = fake.cluster.node('replica-0');
    fake.cluster.primaryPosition = 20n;
    primary.rows = [{ v: 'new' }];
    replica.position = 10n;
    replica.rows = [{ v: 'old' }];
    const open = () =>
      recordedRouter<DB>(fake, 'cache-monotonic', { cache: isolateCache({ ttlMs: 60_000 }) });
    // one request loads the entry from the primary (rows of no known position)
    const loader = open();
    await route(loader.db, { readPreference: 'primary' }).selectFrom('t').selectAll().execute();
    expect(loader.events.at(-1)).toMatchObject({ node: 'primary', cache: 'miss' });

    // a fresh session gets the new rows from memory...
    const reader = open();
    expect(await reader.db.selectFrom('t').selectAll().execute()).toEqual([{ v: 'new' }]);
    expect(reader.events.at(-1)).toMatchObject({ node: 'cache', cache: 'hit' });
    // ...so its next read must not be older than them
    expect(await reader.db.selectFrom('t').select('v').where('id', '=', 1).execute()).toEqual([{ v: 'new' }]);
    expect(reader.events.at(-1)?.node).toBe('primary');
  });
});
