import { afterEach, describe, expect, it } from 'vitest';
import { type EdgeDbConfig, resetClusterState } from '../../../../src/index.js';
import { recordedRouter } from '../../../support/recorded-router.js';
import { fakeCluster } from '../../../support/recording-dialect.js';

// Issue 14.4: a replica's known position never aged and was never lowered by what the replica reported, so
// after it was rebuilt or restored behind its old position, reads needing a recent write were served stale.

interface DB {
  t: { id: number; v: string };
}

afterEach(() => resetClusterState());

const open = (fake: ReturnType<typeof fakeCluster>, config: Partial<EdgeDbConfig> = {}) =>
  recordedRouter<DB>(fake, 'position-drop', config);

/** A session writes `new`; the replica applies it and serves the session once (its position becomes known). */
async function writeAndCatchUp(fake: ReturnType<typeof fakeCluster>, config: Partial<EdgeDbConfig>) {
  const session = open(fake, config);
  const primary = fake.cluster.node('primary');
  const replica = fake.cluster.node('replica-0');
  primary.rows = [{ v: 'new' }];
  await session.db.insertInto('t').values({ id: 1, v: 'new' }).execute();
  // the session learns the commit's position (after-write read on the primary, or the write's own report)
  await session.db.selectFrom('t').selectAll().execute();
  replica.position = fake.cluster.primaryPosition;
  replica.rows = [{ v: 'new' }];
  expect(await session.db.selectFrom('t').selectAll().execute()).toEqual([{ v: 'new' }]);
  expect(session.events.at(-1)).toMatchObject({ node: 'replica-0' });
  // the replica is rebuilt from an older backup: behind the session's write, without its row
  replica.position = 0n;
  replica.rows = [{ v: 'old' }];
  return session;
}

describe('known replica positions follow what the replica reports, and age (14.4)', () => {
  it('a replica reporting less than was known does not serve a read that needs the recent write', async () => {
    const fake = fakeCluster(1, { replication: 'piggyback' });
    const session = await writeAndCatchUp(fake, {});
    expect(await session.db.selectFrom('t').selectAll().execute()).toEqual([{ v: 'new' }]);
    expect(session.events.at(-1)?.node).toBe('primary');
  });

  it('knowledge of a position ages: after a while the replica is checked again', async () => {
    // an adapter that cannot report positions with the read: only a probe tells the truth
    const fake = fakeCluster(1, { replication: 'probe' });
    let time = 5_000_000;
    const session = await writeAndCatchUp(fake, { now: () => time });
    time += 60_000;
    expect(await session.db.selectFrom('t').selectAll().execute()).toEqual([{ v: 'new' }]);
    expect(session.events.at(-1)?.attempts.map((a) => [a.node, a.outcome])).toEqual([
      ['replica-0', 'behind'],
      ['primary', 'ok'],
    ]);
  });
});
