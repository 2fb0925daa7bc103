import type { LogEvent } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { resetClusterState } from '../../../../src/index.js';
import { recordedRouter } from '../../../support/recorded-router.js';
import { fakeCluster } from '../../../support/recording-dialect.js';

// Issue 14.9: begin/commit/rollback/savepoint went to each node's driver on the raw connection, so Kysely's
// `log` missed them and `onRoute` reported a synthetic `begin` and nothing for commit or rollback.

interface DB {
  t: { id: number; v: string };
}

afterEach(() => resetClusterState());

describe('transaction statements reach Kysely and onRoute (14.9)', () => {
  it('logs begin, savepoints, commit and rollback, and reports begin/commit/rollback with their SQL', async () => {
    const fake = fakeCluster(1);
    const logged: string[] = [];
    const { db, events } = recordedRouter<DB>(fake, 'trx-log', {
      log: (event: LogEvent) => {
        logged.push(event.query.sql);
      },
    });
    await db.transaction().execute((trx) => trx.insertInto('t').values({ id: 1, v: 'x' }).execute());
    const trx = await db.startTransaction().execute();
    await trx.insertInto('t').values({ id: 2, v: 'y' }).execute();
    const sp = await trx.savepoint('sp1').execute();
    await sp.rollbackToSavepoint('sp1').execute();
    await trx.rollback().execute();

    // what each node ran, in order, is what Kysely logged
    expect(logged).toEqual(fake.cluster.statementsOn('primary'));
    expect(logged.filter((s) => !s.startsWith('insert'))).toEqual([
      'begin',
      'commit',
      'begin',
      'savepoint sp1',
      'rollback to savepoint sp1',
      'rollback',
    ]);
    const control = events.filter((e) => !e.sql.startsWith('insert')).map((e) => [e.sql, e.node]);
    expect(control).toEqual(
      expect.arrayContaining([
        ['begin', 'primary'],
        ['commit', 'primary'],
        ['rollback', 'primary'],
      ]),
    );
    expect(control.filter(([sql]) => sql === 'begin')).toHaveLength(2);
  });
});
