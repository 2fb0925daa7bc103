import { afterEach, describe, expect, it } from 'vitest';
import { edgeDb, type RouteEvent, resetClusterState } from '../../../../src/index.js';
import { fakeCluster } from '../../../support/recording-dialect.js';

// A standby refuses what needs a primary in more words than SQLSTATE 25006: "recovery is in progress" (55000)
// and "cannot assign OIDs during recovery" (XX000) mean the same. And a replica that answered with a refusal,
// or with any error about the statement, is healthy: such answers must not eject it.

afterEach(() => resetClusterState());

function open(fake: ReturnType<typeof fakeCluster>) {
  const events: RouteEvent[] = [];
  const db = edgeDb<any>({
    primary: fake.primary,
    replicas: fake.replicas,
    cluster: 'refusals',
    health: { consecutiveFailures: 2 },
    onRoute: (event) => events.push(event),
  });
  return { db, events };
}

describe("what a replica's refusal means", () => {
  it.each([
    ['55000', 'recovery is in progress'],
    ['XX000', 'cannot assign OIDs during recovery'],
  ])('%s "%s" runs the statement as a write on the primary', async (code, message) => {
    const fake = fakeCluster(1);
    fake.cluster.node('replica-0').failWith = Object.assign(new Error(message), { code });
    const { db, events } = open(fake);
    await db.selectFrom('t').selectAll().execute();
    expect(events.at(-1)).toMatchObject({ node: 'primary', reason: 'write' });
  });

  it('statement errors and write refusals do not eject a healthy replica', async () => {
    const fake = fakeCluster(1);
    const replica = fake.cluster.node('replica-0');
    const { db, events } = open(fake);
    replica.failWith = Object.assign(new Error('syntax error at or near "selec"'), { code: '42601' });
    for (let i = 0; i < 3; i++)
      await db
        .selectFrom('t')
        .selectAll()
        .execute()
        .catch(() => undefined);
    replica.failWith = Object.assign(new Error('cannot execute INSERT in a read-only transaction'), {
      code: '25006',
    });
    for (let i = 0; i < 3; i++) await db.selectFrom(`t${i}`).selectAll().execute();
    replica.failWith = undefined;
    await db.selectFrom('healthy').selectAll().execute();
    expect(events.at(-1)).toMatchObject({ node: 'replica-0' });
  });
});
