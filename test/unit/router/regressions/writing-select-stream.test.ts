import { afterEach, describe, expect, it } from 'vitest';
import { edgeDb, type RouteEvent, resetClusterState, sessionInfo } from '../../../../src/index.js';
import { fakeCluster } from '../../../support/recording-dialect.js';

// Issue 14.1, streamed: a replica's read-only refusal (SQLSTATE 25006) of a streamed SELECT means the statement
// writes (a function that writes). Before any row flowed, it runs as a write on the primary and is remembered.

afterEach(() => resetClusterState());

describe('a streamed SELECT that a replica refuses as a write (14.1)', () => {
  it('streams from the primary as a write, and the next one goes to the primary first', async () => {
    const fake = fakeCluster(1);
    const replica = fake.cluster.node('replica-0');
    fake.cluster.node('primary').rows = [{ n: 1 }, { n: 2 }];
    replica.failWith = Object.assign(new Error('cannot execute INSERT in a read-only transaction'), {
      code: '25006',
    });
    const events: RouteEvent[] = [];
    const db = edgeDb({
      primary: fake.primary,
      replicas: fake.replicas,
      cluster: 'writing-stream',
      onRoute: (e) => events.push(e),
    });
    const stream = async () => {
      const rows: unknown[] = [];
      for await (const row of db.selectNoFrom((eb) => eb.fn<number>('note_call', []).as('n')).stream(1))
        rows.push(row);
      return rows;
    };
    expect(await stream()).toEqual([{ n: 1 }, { n: 2 }]);
    expect(events.at(-1)).toMatchObject({ node: 'primary', reason: 'write' });
    expect((await sessionInfo(db)).positionPending).toBe(true);
    const before = events.length;
    expect(await stream()).toEqual([{ n: 1 }, { n: 2 }]);
    expect(events.slice(before)).toEqual([
      expect.objectContaining({ node: 'primary', attempts: [expect.objectContaining({ node: 'primary' })] }),
    ]);
  });
});
