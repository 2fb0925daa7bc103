import { afterEach, describe, expect, it } from 'vitest';
import { edgeDb, type RouteEvent, resetClusterState } from '../../../../src/index.js';
import { fakeCluster } from '../../../support/recording-dialect.js';

// Issue 17.3: a replica that pulls from the primary on an interval (a proxy with an embedded replica) holds a
// read that needs a recent write until its next pull, up to a whole interval. When that costs more than the
// primary's round trip, the read after a write goes to the primary; once the replica is known to have the
// write, or an interval has passed, the replica serves again.

afterEach(() => resetClusterState());

function pullingCluster() {
  const fake = fakeCluster(1);
  const replica = { ...fake.replicas[0]!, catchUp: { mode: 'pulling' as const, pullIntervalMs: 1_000 } };
  return { fake, replicas: [replica] };
}

describe('a replica that pulls on an interval', () => {
  it('is skipped for the read after a write until it can have the write', async () => {
    const { fake, replicas } = pullingCluster();
    let time = 1_000_000;
    const events: RouteEvent[] = [];
    const db = edgeDb<any>({
      primary: fake.primary,
      replicas,
      cluster: 'pulling',
      now: () => time,
      onRoute: (event) => events.push(event),
    });
    await db.insertInto('t').values({ id: 1 }).execute();
    await db.selectFrom('t').selectAll().execute();
    expect(events.at(-1)?.attempts.map((a) => a.node)).toEqual(['primary']);
    // The replica pulled: a whole interval later it may have the write, and it is asked again.
    fake.cluster.node('replica-0').position = fake.cluster.primaryPosition;
    time += 1_500;
    await db.selectFrom('t').selectAll().execute();
    expect(events.at(-1)?.node).toBe('replica-0');
  });

  it('serves reads that need nothing from the session at once', async () => {
    const { fake, replicas } = pullingCluster();
    const events: RouteEvent[] = [];
    const db = edgeDb<any>({
      primary: fake.primary,
      replicas,
      cluster: 'pulling-fresh',
      onRoute: (e) => events.push(e),
    });
    await db.selectFrom('t').selectAll().execute();
    expect(events.at(-1)?.node).toBe('replica-0');
  });
});
