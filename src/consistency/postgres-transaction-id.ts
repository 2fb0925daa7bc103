import {
  CompiledQuery,
  type DatabaseConnection,
  type DeleteQueryNode,
  type InsertQueryNode,
  type QueryResult,
  type UpdateQueryNode,
} from 'kysely';
import { EdgeDbError } from '../errors/edge-db-error.js';
import { lsnOf, positionOf, replicaPositionQuery } from './positioned-read.js';
import { signalArgument } from './query-signal.js';
import type { ReplicationPosition } from './replication-position.js';

/**
 * A PostgreSQL transaction id (`xid8`: 64 bits, epoch included, never wraps). A write's id is known in its
 * own round trip, its commit position only after the commit: the session keeps the id until a position is
 * known to cover it.
 */
export type TransactionId = bigint;

/** The column edge-db adds to a write's RETURNING list and takes out of its rows again. */
const XID_COLUMN = '__edge_db_xid';
const XID_SELECTION = `pg_current_xact_id()::text as "${XID_COLUMN}"`;

type WriteNode = InsertQueryNode | UpdateQueryNode | DeleteQueryNode;
const WRITE_KINDS: ReadonlySet<string> = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode']);

/**
 * The write with `pg_current_xact_id()` added to its RETURNING list, so its transaction id comes back in its
 * own round trip; `undefined` when the statement is not one edge-db can extend safely: raw SQL, EXPLAIN, or a
 * builder with clauses after RETURNING (`modifyEnd`, `orderBy`, `limit`, `top`, `output`).
 */
function withTransactionId(query: CompiledQuery): { query: CompiledQuery; returns: boolean } | undefined {
  const node = query.query as WriteNode | undefined;
  if (node === undefined || !WRITE_KINDS.has(node.kind)) return undefined;
  const tail = node as {
    explain?: unknown;
    endModifiers?: readonly unknown[];
    orderBy?: unknown;
    limit?: unknown;
    top?: unknown;
    output?: unknown;
  };
  if (
    tail.explain !== undefined ||
    (tail.endModifiers !== undefined && tail.endModifiers.length > 0) ||
    tail.orderBy !== undefined ||
    tail.limit !== undefined ||
    tail.top !== undefined ||
    tail.output !== undefined
  ) {
    return undefined;
  }
  const returns = node.returning !== undefined;
  const sql = `${query.sql}${returns ? ', ' : ' returning '}${XID_SELECTION}`;
  return { query: { ...query, sql }, returns };
}

/** What {@link executeReturningTransactionId} learnt from one write. */
export interface WriteWithTransaction<R> {
  readonly result: QueryResult<R>;
  /** The write's transaction id; `undefined` when the statement returned no row (nothing written) or was not extended. */
  readonly transaction: TransactionId | undefined;
}

/**
 * Runs an autocommit write and learns its transaction id in the same round trip (`RETURNING
 * pg_current_xact_id()`), returning the rows the statement itself would have returned. A statement it cannot
 * extend runs as it is. PostgreSQL 12 and older have no `pg_current_xact_id()`: the write then runs again
 * unextended (it failed before executing), at the cost of that round trip.
 */
export async function executeReturningTransactionId<R>(
  connection: DatabaseConnection,
  query: CompiledQuery,
  signal?: AbortSignal,
): Promise<WriteWithTransaction<R>> {
  const extended = withTransactionId(query);
  const args = signalArgument(signal);
  if (extended === undefined)
    return { result: await connection.executeQuery<R>(query, ...args), transaction: undefined };
  let result: QueryResult<Record<string, unknown>>;
  try {
    result = await connection.executeQuery<Record<string, unknown>>(extended.query, ...args);
  } catch (error) {
    // Failed before running (no such function before PostgreSQL 13, or a rule that cannot return rows): send
    // the statement as it was.
    if (!lacksTransactionIds(error) && !refusesReturning(error)) throw error;
    return { result: await connection.executeQuery<R>(query, ...args), transaction: undefined };
  }
  const text = result.rows[0]?.[XID_COLUMN];
  const transaction = typeof text === 'string' && /^\d{1,20}$/.test(text) ? BigInt(text) : undefined;
  const rows = extended.returns ? result.rows.map(withoutXid) : [];
  return { result: { ...result, rows: rows as R[] }, transaction };
}

function withoutXid(row: Record<string, unknown>): Record<string, unknown> {
  const { [XID_COLUMN]: _xid, ...rest } = row;
  return rest;
}

/**
 * `feature_not_supported` about RETURNING: the target is a view or a table with a `DO INSTEAD` rule that has no
 * RETURNING clause ("cannot perform INSERT RETURNING on relation ..."), refused while the statement is rewritten.
 */
function refusesReturning(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('RETURNING');
}

/** `undefined_function` naming pg_current_xact_id: a server before PostgreSQL 13. */
function lacksTransactionIds(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '42883' && typeof message === 'string' && message.includes('pg_current_xact_id');
}

/**
 * One statement, run on a replica BEFORE the read: are the given transactions committed here, and (read after
 * that answer, behind an optimisation fence) the replayed position. `xid < xmin` or `xid < xmax and
 * committed` are the checks that held on standbys (`pg_visible_in_snapshot` does not: a standby's snapshot
 * lists no in-progress ids), and only as a statement before the read, never inside it. `below` says every id
 * is below the snapshot's xmin: only that answer is final on its own (see {@link checkedPosition}). Only a node
 * in recovery can answer: ids of a node that is not (promoted by a failover, or not a standby at all) are its
 * own timeline's, and the same number there may be another transaction.
 */
const TRANSACTIONS_CHECK = `select s.standby, s.standby and s.below as below, s.standby and s.visible as visible,
  case when s.standby and s.visible then pg_last_wal_replay_lsn()::text end as lsn from (
  select bool_and(c.standby) as standby, coalesce(bool_and(x < pg_snapshot_xmin(c.snap)), true) as below,
    coalesce(bool_and(case when x < pg_snapshot_xmin(c.snap) then true
    when x < pg_snapshot_xmax(c.snap) then pg_xact_status(x) = 'committed' else false end), true) as visible
  from (select pg_current_snapshot() as snap, pg_is_in_recovery() as standby offset 0) c,
    unnest(string_to_array($1, ',')::xid8[]) as x offset 0) s`;

/** The check of {@link TRANSACTIONS_CHECK} for these ids. */
export function transactionsCheckQuery(transactions: readonly TransactionId[]): CompiledQuery {
  return CompiledQuery.raw(TRANSACTIONS_CHECK, [transactions.join(',')]);
}

/**
 * The cause of a `REPLICA_BEHIND` that waiting cannot cure: the node is not in recovery, so it is no standby
 * of the primary (promoted, or never one) and will not replay the session's writes.
 */
export const NOT_IN_RECOVERY: Error = Object.freeze(new Error('the node is not in recovery'));

/** True for a refusal of {@link checkedPosition} that no wait can turn into a pass. */
export function isFinalRefusal(error: unknown): boolean {
  return (error as { cause?: unknown } | null)?.cause === NOT_IN_RECOVERY;
}

/** The row of a {@link transactionsCheckQuery} answer; a missing row is "not visible". */
interface CheckRow {
  /** The node is in recovery: a standby of the primary, whose ids are the primary's. */
  readonly standby: boolean;
  /** Every id is below the snapshot's xmin: final on its own. */
  readonly below: boolean;
  /** Every id is below xmin, or below xmax and committed in the commit log. */
  readonly visible: boolean;
  /** The replayed position, read after the answer (only when visible). */
  readonly position: ReplicationPosition | undefined;
}

function checkRow(result: { rows: unknown[] } | undefined): CheckRow {
  const row = result?.rows[0] as { standby?: unknown; below?: unknown; visible?: unknown } | undefined;
  return {
    standby: row?.standby === true || row?.standby === 't',
    below: row?.below === true || row?.below === 't',
    visible: row?.visible === true || row?.visible === 't',
    position: positionOf(lsnOf(result)),
  };
}

/**
 * Reads the answer of {@link transactionsCheckQuery}, with `next` the answer of a replayed-position statement
 * ({@link replicaPositionQuery}) read after it (and before the read): the position the read may rely on, or
 * `REPLICA_BEHIND`.
 *
 * An id below the snapshot's xmin is final. An id seen committed only in the commit log is not yet: a standby
 * replaying a commit marks the commit log before it takes the id out of its running list ("We must mark clog
 * before we update the ProcArray", xact_redo_commit), so a snapshot taken in between still treats the
 * transaction as running. The replayed position moves past the commit record only once its redo is complete:
 * a position read later that moved past the one read in the check proves it.
 */
export function checkedPosition(
  result: { rows: unknown[] } | undefined,
  node: string,
  next?: { rows: unknown[] } | undefined,
): ReplicationPosition | undefined {
  const { standby, below, visible, position: checked } = checkRow(result);
  if (result?.rows[0] !== undefined && !standby) {
    throw new EdgeDbError(
      'REPLICA_BEHIND',
      `${node} is not in recovery (promoted, or not a standby of the primary): it cannot prove the session's writes. Read from the primary, and check the replica's URL if it was never a standby.`,
      { cause: NOT_IN_RECOVERY },
    );
  }
  if (!visible) {
    throw new EdgeDbError(
      'REPLICA_BEHIND',
      `${node} has not applied the session's last write yet (its transaction is not committed there). Retry later or read from the primary.`,
    );
  }
  const later = positionOf(lsnOf(next));
  if (below) return later !== undefined && checked !== undefined && later > checked ? later : checked;
  if (checked === undefined || later === undefined || later <= checked) {
    throw new EdgeDbError(
      'REPLICA_BEHIND',
      `${node} is still applying the session's last write (committed, not yet visible to new reads). Retry later or read from the primary.`,
    );
  }
  return later;
}

/**
 * Runs {@link transactionsCheckQuery} on a replica's connection: the replayed position read after the
 * transactions were seen committed, or `REPLICA_BEHIND`. What `readPosition(connection, 'replica',
 * transactions)` of every PostgreSQL adapter does.
 */
export async function readCheckedPosition(
  connection: DatabaseConnection,
  transactions: readonly TransactionId[],
): Promise<ReplicationPosition | undefined> {
  const check = await connection.executeQuery(transactionsCheckQuery(transactions));
  // A final answer (or a plain "not committed") needs nothing more; a commit seen in the commit log only needs
  // the replayed position to move past the check's, read by a statement of its own.
  const { below, visible } = checkRow(check);
  if (below || !visible) return checkedPosition(check, 'the replica');
  return checkedPosition(check, 'the replica', await connection.executeQuery(replicaPositionQuery));
}
