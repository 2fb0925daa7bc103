import { afterEach, describe, expect, it } from 'vitest';
import { resetClusterState } from '../../../../src/index.js';
import { recordedRouter } from '../../../support/recorded-router.js';
import { fakeCluster } from '../../../support/recording-dialect.js';

// Issue 19.6 (router half): a statement that kills the node running it (an engine crash on bad input) was retried
// on the next replica and the primary, killing all of them: a statement whose node died mid-flight is retried
// on at most two nodes in total.

interface DB {
  t: { id: number; v: string };
}

afterEach(() => resetClusterState());

function fleet() {
  const fake = fakeCluster(4);
  const { db, events } = recordedRouter<DB>(fake, 'mid-flight', { maxReplicaAttempts: 4 });
  return { fake, db, events };
}

describe('a statement whose node died mid-flight (19.6)', () => {
  it('is tried on at most two nodes, never across the whole fleet', async () => {
    const { fake, db, events } = fleet();
    // every node's connection is reset after the statement was sent
    for (const node of fake.cluster.nodes.values())
      node.failWith = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    await expect(db.selectFrom('t').selectAll().execute()).rejects.toBeDefined();
    const tried = events.at(-1)!.attempts.filter((a) => a.outcome === 'error');
    expect(tried.length).toBeGreaterThanOrEqual(1);
    expect(tried.length).toBeLessThanOrEqual(2);
    expect(events.at(-1)!.attempts).toHaveLength(tried.length);
  });

  it('while connections that were refused (nothing sent) still fall back across the fleet', async () => {
    const { fake, db, events } = fleet();
    for (let i = 0; i < 4; i++)
      fake.cluster.node(`replica-${i}`).connectFailWith = Object.assign(new Error('connect ECONNREFUSED'), {
        code: 'ECONNREFUSED',
      });
    await db.selectFrom('t').selectAll().execute();
    expect(events.at(-1)!.attempts.map((a) => a.outcome)).toEqual(['error', 'error', 'error', 'error', 'ok']);
    expect(events.at(-1)?.node).toBe('primary');
  });
});
