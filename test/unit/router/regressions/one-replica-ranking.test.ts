import { afterEach, describe, expect, it } from 'vitest';
import { type EdgeDbConfig, resetClusterState, route } from '../../../../src/index.js';
import { recordedRouter } from '../../../support/recorded-router.js';
import { fakeCluster } from '../../../support/recording-dialect.js';

// Issue 14.2: with exactly one replica (the usual Neon set-up) the replica list was never ranked, so ejection
// and maxStalenessMs (config and hint) were ignored and a dead replica was tried first on every read.

interface DB {
  t: { id: number; v: string };
}

afterEach(() => resetClusterState());

const open = (fake: ReturnType<typeof fakeCluster>, config: Partial<EdgeDbConfig> = {}) =>
  recordedRouter<DB>(fake, 'one-replica', config);

describe('exactly one replica is ranked like many (14.2)', () => {
  it('an ejected (failing) replica is not tried first on every read', async () => {
    const fake = fakeCluster(1);
    const replica = fake.cluster.node('replica-0');
    replica.failWith = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const { db, events } = open(fake, { health: { consecutiveFailures: 3 } });
    for (let i = 0; i < 12; i++) await db.selectFrom('t').selectAll().execute();
    const triedReplica = events.filter((e) => e.attempts.some((a) => a.node === 'replica-0')).length;
    // three failures eject it; the reads after that go straight to the primary
    expect(triedReplica).toBe(3);
    expect(events.at(-1)).toMatchObject({ node: 'primary', attempts: [{ node: 'primary', outcome: 'ok' }] });
  });

  it('honours maxStalenessMs from the config and from a hint', async () => {
    const fake = fakeCluster(1);
    let time = 1_000_000;
    const now = () => time;
    // A session writes; a second later its read finds the only replica behind: its lag is estimated at ~1 s.
    const writer = open(fake, { now });
    await writer.db.insertInto('t').values({ id: 1, v: 'x' }).execute();
    time += 1_000;
    await writer.db.selectFrom('t').selectAll().execute();
    expect(writer.events.at(-1)?.attempts.map((a) => [a.node, a.outcome])).toEqual([
      ['replica-0', 'behind'],
      ['primary', 'ok'],
    ]);

    // Fresh sessions (nothing required): a bound of 100 ms leaves the replica out.
    const bounded = open(fake, { now, maxStalenessMs: 100 });
    await bounded.db.selectFrom('t').selectAll().execute();
    expect(bounded.events.at(-1)).toMatchObject({ node: 'primary' });

    const hinted = open(fake, { now });
    await route(hinted.db, { maxStalenessMs: 100 }).selectFrom('t').selectAll().execute();
    expect(hinted.events.at(-1)).toMatchObject({ node: 'primary' });
    // without the bound a fresh session reads the same replica (so the bound, not something else, moved reads)
    const plain = open(fake, { now });
    await plain.db.selectFrom('t').selectAll().execute();
    expect(plain.events.at(-1)).toMatchObject({ node: 'replica-0' });
  });
});
