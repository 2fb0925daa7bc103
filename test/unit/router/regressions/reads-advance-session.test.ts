import { afterEach, describe, expect, it } from 'vitest';
import { edgeDb, resetClusterState } from '../../../../src/index.js';
import { recordedRouter } from '../../../support/recorded-router.js';
import { fakeCluster } from '../../../support/recording-dialect.js';

// Issue 14.6: reads in read-only transactions, pinned reads in `db.connection()` and FOR UPDATE reads did not
// advance the session, so its next read could be older than what they saw.

interface DB {
  t: { id: number; v: string };
}

afterEach(() => resetClusterState());

/** A primary ahead of the only replica (another session wrote `new`), and a fresh session. */
function setUp() {
  const fake = fakeCluster(1);
  fake.cluster.primaryPosition = 20n;
  fake.cluster.node('primary').rows = [{ v: 'new' }];
  fake.cluster.node('replica-0').position = 10n;
  fake.cluster.node('replica-0').rows = [{ v: 'old' }];
  const { db, events } = recordedRouter<DB>(fake, 'reads-advance');
  const next = () => db.selectFrom('t').select('v').where('id', '=', 1).execute();
  return { db, events, next };
}

describe('reads that saw the primary advance the session (14.6)', () => {
  it('a read-only transaction', async () => {
    const { db, next } = setUp();
    const seen = await db
      .transaction()
      .setAccessMode('read only')
      .execute((trx) => trx.selectFrom('t').selectAll().execute());
    expect(seen).toEqual([{ v: 'new' }]);
    expect(await next()).toEqual([{ v: 'new' }]);
  });

  it('a pinned read in db.connection()', async () => {
    const { db, next } = setUp();
    const seen = await db.connection().execute(async (conn) => {
      await conn.selectFrom('t').selectAll().forUpdate().skipLocked().execute();
      return conn.selectFrom('t').selectAll().execute();
    });
    expect(seen).toEqual([{ v: 'new' }]);
    expect(await next()).toEqual([{ v: 'new' }]);
  });

  it('a FOR UPDATE read', async () => {
    const { db, next, events } = setUp();
    expect(await db.selectFrom('t').selectAll().forUpdate().execute()).toEqual([{ v: 'new' }]);
    expect(events.at(-1)).toMatchObject({ node: 'primary', reason: 'lock' });
    expect(await next()).toEqual([{ v: 'new' }]);
  });

  it('a read-only transaction on a replica', async () => {
    // two replicas at different positions; the transaction may land on either
    let staleAfterNewer = 0;
    for (let i = 0; i < 40; i++) {
      resetClusterState();
      const fake = fakeCluster(2);
      fake.cluster.primaryPosition = 20n;
      fake.cluster.node('primary').rows = [{ v: 'new' }];
      fake.cluster.node('replica-0').position = 20n;
      fake.cluster.node('replica-0').rows = [{ v: 'new' }];
      fake.cluster.node('replica-1').position = 10n;
      fake.cluster.node('replica-1').rows = [{ v: 'old' }];
      const db = edgeDb<DB>({
        primary: fake.primary,
        replicas: fake.replicas,
        cluster: 'reads-advance-replica',
        readOnlyTransactionsOnReplicas: true,
      });
      const seen = await db
        .transaction()
        .setAccessMode('read only')
        .execute((trx) => trx.selectFrom('t').selectAll().execute());
      expect(fake.cluster.whoRan('select * from "t"')).toMatch(/^replica-/);
      const after = await db.selectFrom('t').select('v').where('id', '=', 1).execute();
      if (seen[0]?.v === 'new' && after[0]?.v === 'old') staleAfterNewer++;
    }
    expect(staleAfterNewer).toBe(0);
  });
});
