import { afterEach, describe, expect, it } from 'vitest';
import { resetClusterState, sessionInfo } from '../../../../src/index.js';
import { recordedRouter } from '../../../support/recorded-router.js';
import { fakeCluster } from '../../../support/recording-dialect.js';

// Issue 14.3: when the primary answered a write with an error (a unique violation from a concurrent
// `create table if not exists`), the session forgot it; its next read went to a replica that had not caught up.

interface DB {
  t: { id: number; v: string };
}

afterEach(() => resetClusterState());

describe('a write the primary answered with an error (14.3)', () => {
  it('makes the next read reflect the primary: it goes there and learns the position', async () => {
    const fake = fakeCluster(1);
    const primary = fake.cluster.node('primary');
    const replica = fake.cluster.node('replica-0');
    // another session created the row; the replica has not applied it
    fake.cluster.primaryPosition = 10n;
    primary.rows = [{ id: 1, v: 'theirs' }];
    replica.rows = [];
    const { db, events } = recordedRouter<DB>(fake, 'primary-error');
    primary.failWith = Object.assign(new Error('duplicate key value violates unique constraint "t_pkey"'), {
      code: '23505',
    });
    await expect(db.insertInto('t').values({ id: 1, v: 'mine' }).execute()).rejects.toMatchObject({
      code: '23505',
    });
    primary.failWith = undefined;
    expect((await sessionInfo(db)).positionPending).toBe(true);

    expect(await db.selectFrom('t').selectAll().execute()).toEqual([{ id: 1, v: 'theirs' }]);
    expect(events.at(-1)).toMatchObject({ node: 'primary', reason: 'after-write' });
    // the position was learnt: the session now requires what the primary had
    expect((await sessionInfo(db)).positionPending).toBe(false);
    expect(events.at(-1)?.attempts).toEqual([expect.objectContaining({ node: 'primary', outcome: 'ok' })]);
    replica.position = 10n;
    replica.rows = [{ id: 1, v: 'theirs' }];
    await db.selectFrom('t').selectAll().execute();
    expect(events.at(-1)).toMatchObject({ node: 'replica-0' });
  });
});
