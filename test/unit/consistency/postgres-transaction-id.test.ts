import { type CompiledQuery, type DatabaseConnection, type QueryResult, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  checkedPosition,
  executeReturningTransactionId,
} from '../../../src/consistency/postgres-transaction-id.js';
import { compileOnlyDb } from '../../support/compile-only-db.js';

interface Database {
  item: { id: number; note: string | null };
}

const db = compileOnlyDb<Database>();

/** A connection that answers like PostgreSQL would for the statements these tests send. */
function fakeConnection(answer: (query: CompiledQuery) => QueryResult<any>) {
  const sent: string[] = [];
  const connection: DatabaseConnection = {
    async executeQuery(query) {
      sent.push(query.sql);
      return answer(query);
    },
    // biome-ignore lint/correctness/useYield: never streamed
    async *streamQuery() {
      throw new Error('not streamed');
    },
  };
  return { connection, sent };
}

describe('executeReturningTransactionId', () => {
  it('adds the id to a write without RETURNING and returns no rows', async () => {
    const { connection, sent } = fakeConnection(() => ({
      rows: [{ __edge_db_xid: '7301' }],
      numAffectedRows: 1n,
    }));
    const out = await executeReturningTransactionId(
      connection,
      db.insertInto('item').values({ id: 1, note: null }).compile(),
    );
    expect(sent[0]).toBe(
      'insert into "item" ("id", "note") values ($1, $2) returning pg_current_xact_id()::text as "__edge_db_xid"',
    );
    expect(out).toEqual({ result: { rows: [], numAffectedRows: 1n }, transaction: 7301n });
  });

  it('appends to an existing RETURNING list and strips the column from every row', async () => {
    const { connection, sent } = fakeConnection(() => ({
      rows: [
        { id: 1, __edge_db_xid: '9' },
        { id: 2, __edge_db_xid: '9' },
      ],
    }));
    const out = await executeReturningTransactionId(
      connection,
      db.updateTable('item').set({ note: 'x' }).returning('id').compile(),
    );
    expect(sent[0]).toMatch(/returning "id", pg_current_xact_id\(\)::text as "__edge_db_xid"$/);
    expect(out.result.rows).toEqual([{ id: 1 }, { id: 2 }]);
    expect(out.transaction).toBe(9n);
  });

  it('leaves statements it cannot extend as they are', async () => {
    const cases = [
      sql`insert into item values (1, null)`.compile(db),
      db.deleteFrom('item').modifyEnd(sql`-- trailing`).compile(),
      db.selectFrom('item').selectAll().compile(),
    ];
    for (const query of cases) {
      const { connection, sent } = fakeConnection(() => ({ rows: [] }));
      const out = await executeReturningTransactionId(connection, query);
      expect(sent).toEqual([query.sql]);
      expect(out.transaction).toBeUndefined();
    }
  });

  it('a write that returned no row has no id (it wrote nothing the session must wait for)', async () => {
    const { connection } = fakeConnection(() => ({ rows: [], numAffectedRows: 0n }));
    const out = await executeReturningTransactionId(
      connection,
      db.deleteFrom('item').where('id', '=', 5).compile(),
    );
    expect(out.transaction).toBeUndefined();
  });

  it('runs the write unextended on PostgreSQL 12 and older (no pg_current_xact_id)', async () => {
    const { connection, sent } = fakeConnection((query) => {
      if (query.sql.includes('pg_current_xact_id')) {
        throw Object.assign(new Error('function pg_current_xact_id() does not exist'), { code: '42883' });
      }
      return { rows: [], numAffectedRows: 1n };
    });
    const query = db.insertInto('item').values({ id: 1, note: null }).compile();
    const out = await executeReturningTransactionId(connection, query);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(query.sql);
    expect(out).toEqual({ result: { rows: [], numAffectedRows: 1n }, transaction: undefined });
  });

  it('passes other errors through untouched, without a second attempt', async () => {
    const failure = Object.assign(new Error('duplicate key'), { code: '23505' });
    const { connection, sent } = fakeConnection(() => {
      throw failure;
    });
    await expect(
      executeReturningTransactionId(
        connection,
        db.insertInto('item').values({ id: 1, note: null }).compile(),
      ),
    ).rejects.toBe(failure);
    expect(sent).toHaveLength(1);
  });
});

describe('checkedPosition', () => {
  it('reads the position after a passed check, and REPLICA_BEHIND otherwise', () => {
    const below = (lsn: string | null) => ({ rows: [{ standby: true, below: true, visible: true, lsn }] });
    expect(checkedPosition(below('0/3000060'), 'r')).toBe(0x3000060n);
    expect(
      checkedPosition({ rows: [{ standby: 't', below: 't', visible: 't', lsn: null }] }, 'r'),
    ).toBeUndefined();
    expect(() =>
      checkedPosition({ rows: [{ standby: true, below: false, visible: false, lsn: null }] }, 'r'),
    ).toThrow(expect.objectContaining({ code: 'REPLICA_BEHIND' }));
    expect(() => checkedPosition(undefined, 'r')).toThrow(
      expect.objectContaining({ code: 'REPLICA_BEHIND' }),
    );
  });

  it('takes a commit seen only in the commit log once the replayed position moved past the check', () => {
    // Between marking the commit log and expiring the id from its running list, a standby's new snapshots still
    // treat the transaction as running: the position read in the check may be the record before the commit.
    const committed = { rows: [{ standby: true, below: false, visible: true, lsn: '0/3000060' }] };
    const position = (lsn: string) => ({ rows: [{ lsn }] });
    expect(() => checkedPosition(committed, 'r')).toThrow(
      expect.objectContaining({ code: 'REPLICA_BEHIND' }),
    );
    expect(() => checkedPosition(committed, 'r', position('0/3000060'))).toThrow(
      expect.objectContaining({ code: 'REPLICA_BEHIND' }),
    );
    expect(checkedPosition(committed, 'r', position('0/3000100'))).toBe(0x3000100n);
  });

  it('refuses a node that is not in recovery, whatever its ids say (its timeline is its own)', () => {
    const promoted = { rows: [{ standby: false, below: true, visible: true, lsn: '0/3000060' }] };
    expect(() => checkedPosition(promoted, 'r', { rows: [{ lsn: '0/3000100' }] })).toThrow(
      expect.objectContaining({
        code: 'REPLICA_BEHIND',
        message: expect.stringContaining('not in recovery'),
      }),
    );
  });
});
