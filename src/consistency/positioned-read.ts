import { CompiledQuery } from 'kysely';
import { EdgeDbError } from '../errors/edge-db-error.js';
import { normalizeInsertLsn, parseLsn } from './postgres-lsn.js';
import type { TransactionId } from './postgres-transaction-id.js';
import type { PositionedResult } from './replication-adapter.js';
import type { ReplicationPosition } from './replication-position.js';

/**
 * Primary: the WAL insert position, which is at or after every commit record already written, also under
 * `synchronous_commit = off` (where `pg_current_wal_lsn()` can lag behind a commit; see FIELD-NOTES). A node
 * configured as the primary that is in recovery (an old primary demoted by a failover) answers NULL: it is not
 * the primary, and its replayed position must neither be learnt nor rewind a session.
 */
export const primaryPositionQuery = CompiledQuery.raw(
  'select case when pg_is_in_recovery() then null else pg_current_wal_insert_lsn()::text end as lsn',
);
/**
 * Replica: the replayed position. Never the node's own insert position: a node that was never in recovery
 * answers NULL (it proves nothing about the primary's writes), and a promoted one the last position it
 * replayed as a standby, the end of the history it shares with the primary.
 */
export const replicaPositionQuery = CompiledQuery.raw('select pg_last_wal_replay_lsn()::text as lsn');

/**
 * A replica's read between two positions, each read by its own statement (check, read, position, in that
 * order). The position after it covers the checked transactions only when it moved past the one read after
 * the check: a standby makes a commit visible just before it advances its replayed position, so the first
 * reading may still be the record before that commit; any later value is at or past the commit.
 */
export function positioned<R>(
  result: PositionedResult<R>['result'],
  floor: ReplicationPosition | undefined,
  after: ReplicationPosition | undefined,
  transactions: readonly TransactionId[] | undefined,
): PositionedResult<R> {
  const position = after ?? floor;
  const settles = transactions !== undefined && floor !== undefined && after !== undefined && after > floor;
  return { result, position, floor, ...(settles ? { settlesTransactions: true } : {}) };
}

/** The `lsn` column of a position statement's first row. */
export function lsnOf(result: { rows: unknown[] } | undefined): string | null | undefined {
  return (result?.rows[0] as { lsn?: string | null } | undefined)?.lsn;
}

/** A primary's insert position, normalised to the commit record it can stand for. */
export function primaryPositionOf(lsn: string | null | undefined): ReplicationPosition | undefined {
  const position = positionOf(lsn);
  return position === undefined ? undefined : normalizeInsertLsn(position);
}

export function positionOf(lsn: string | null | undefined): ReplicationPosition | undefined {
  return typeof lsn === 'string' ? parseLsn(lsn) : undefined;
}

/** Rejects with `REPLICA_BEHIND` unless the replica's checked position is at or past `minPosition`. */
export function assertCaughtUp(
  position: ReplicationPosition | undefined,
  minPosition: ReplicationPosition | undefined,
): void {
  if (minPosition === undefined) return;
  if (position === undefined) {
    throw new EdgeDbError(
      'REPLICA_BEHIND',
      'the replica reported no replay position (it is not in recovery), so it cannot prove it has the required writes. Read from the primary.',
    );
  }
  if (position < minPosition) {
    throw new EdgeDbError(
      'REPLICA_BEHIND',
      `the replica has replayed up to ${position} but the read requires ${minPosition}. Retry later or read from the primary.`,
    );
  }
}
