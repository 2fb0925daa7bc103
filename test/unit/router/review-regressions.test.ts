import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { isolateCache } from '../../../src/cache/index.js';
import { type EdgeDbConfig, edgeDb, resetClusterState, sessionInfo } from '../../../src/index.js';
import { postgresTokenAt } from '../../support/postgres-token.js';
import { recordedRouter } from '../../support/recorded-router.js';
import { fakeCluster } from '../../support/recording-dialect.js';

interface DB {
  t: { id: number; v: string };
}

afterEach(() => resetClusterState());

const open = (fake: ReturnType<typeof fakeCluster>, config: Partial<EdgeDbConfig> = {}) =>
  recordedRouter<DB>(fake, 'regressions', config);

describe('regressions found in review', () => {
  it('keeps reads monotonic after a primary fallback on a backend that cannot piggy-back positions', async () => {
    const fake = fakeCluster(1, { replication: 'probe' });
    const replica = fake.cluster.node('replica-0');
    const primary = fake.cluster.node('primary');
    replica.rows = [{ v: 'v1' }];
    primary.rows = [{ v: 'v1' }];
    const { db } = open(fake);
    expect(await db.selectFrom('t').selectAll().execute()).toEqual([{ v: 'v1' }]);
    // another session commits v2; the replica has not applied it
    fake.cluster.primaryPosition += 10n;
    primary.rows = [{ v: 'v2' }];
    replica.failWith = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    expect(await db.selectFrom('t').selectAll().execute()).toEqual([{ v: 'v2' }]);
    replica.failWith = undefined;
    expect(await db.selectFrom('t').selectAll().execute()).toEqual([{ v: 'v2' }]);
  });

  it('never stores a cache entry at the position of a token from the future', async () => {
    const fake = fakeCluster(1);
    const forged = await postgresTokenAt('regressions', 2n ** 60n);
    const a = open(fake, { cache: isolateCache({ ttlMs: 60_000 }), consistency: { token: forged } });
    fake.cluster.node('primary').rows = [{ v: 'old' }];
    fake.cluster.node('replica-0').rows = [{ v: 'old' }];
    await a.db.selectFrom('t').selectAll().execute();
    // another isolate writes: the primary moves to 10 and serves the new row; the replica catches up
    fake.cluster.primaryPosition = 10n;
    fake.cluster.node('primary').rows = [{ v: 'new' }];
    fake.cluster.node('replica-0').rows = [{ v: 'new' }];
    fake.cluster.node('replica-0').position = 10n;
    const token = await postgresTokenAt('regressions', 10n);
    const b = open(fake, { cache: isolateCache({ ttlMs: 60_000 }), consistency: { token } });
    expect(await b.db.selectFrom('t').selectAll().execute()).toEqual([{ v: 'new' }]);
    expect(b.events.at(-1)?.cache).not.toBe('hit');
  });

  it('surfaces the commit error itself and treats an unreachable commit as a write', async () => {
    const fake = fakeCluster(1);
    const { db } = open(fake);
    const hangUp = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    fake.cluster.node('primary').commitFailWith = hangUp;
    await expect(
      db.transaction().execute((trx) => trx.insertInto('t').values({ id: 1, v: 'x' }).execute()),
    ).rejects.toBe(hangUp);
    expect((await sessionInfo(db)).positionPending).toBe(true);
    expect(fake.cluster.openConnections()).toEqual([]);
  });

  it('records a streamed data-modifying statement as a write', async () => {
    const fake = fakeCluster(1);
    const { db } = open(fake, { cache: isolateCache({ ttlMs: 60_000 }) });
    await db.selectFrom('t').selectAll().execute();
    const query = db
      .with('ins', (q) => q.insertInto('t').values({ id: 2, v: 'y' }).returningAll())
      .selectFrom('ins')
      .selectAll();
    for await (const _row of query.stream()) {
      // drain
    }
    expect(fake.cluster.whoRan('insert into "t"')).toBe('primary');
    expect((await sessionInfo(db)).positionPending).toBe(true);
  });

  it('rejects timeouts timers cannot honour and short secrets at construction', () => {
    const fake = fakeCluster(0);
    expect(() => edgeDb({ primary: fake.primary, timeoutMs: Number.POSITIVE_INFINITY })).toThrow(/timeoutMs/);
    expect(() => edgeDb({ primary: fake.primary, attemptTimeoutMs: 3e9 })).toThrow(/attemptTimeoutMs/);
    expect(() => edgeDb({ primary: fake.primary, consistency: { secret: 'short' } })).toThrow(/32 bytes/);
  });

  it('bypasses the cache for raw SQL that calls age()', async () => {
    const fake = fakeCluster(1);
    const { db, events } = open(fake, { cache: isolateCache({ ttlMs: 60_000 }), consistency: 'eventual' });
    await sql`select age(created) from t`.execute(db);
    expect(events.at(-1)).toMatchObject({ cache: 'bypass', cacheReason: 'volatile-function' });
  });
});
