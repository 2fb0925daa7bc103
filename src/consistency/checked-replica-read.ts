import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import {
  assertCaughtUp,
  lsnOf,
  positioned,
  positionOf,
  primaryPositionOf,
  primaryPositionQuery,
  replicaPositionQuery,
} from './positioned-read.js';
import {
  checkedPosition,
  readCheckedPosition,
  type TransactionId,
  transactionsCheckQuery,
} from './postgres-transaction-id.js';
import type { NodeRole, PositionedResult } from './replication-adapter.js';
import type { ReplicationPosition } from './replication-position.js';

/**
 * The statements of a replica's read that must first prove the session's writes, sent together where the
 * protocol allows (a Neon HTTP batch, a pipelining node-postgres connection), each with its own snapshot:
 * - transaction ids: `[check, replayed position, read, position]`; the second statement proves a commit seen
 *   only in the commit log has finished replaying (see {@link checkedPosition});
 * - a position alone: `[position, read, position]`.
 */
export function checkedReadQueries(
  query: CompiledQuery,
  transactions: readonly TransactionId[] | undefined,
): CompiledQuery[] {
  return transactions === undefined
    ? [replicaPositionQuery, query, replicaPositionQuery]
    : [transactionsCheckQuery(transactions), replicaPositionQuery, query, replicaPositionQuery];
}

/**
 * The read of {@link checkedReadQueries}' answers, `answer(i)` giving (or throwing) the i-th statement's. The
 * check decides first: a read that failed on a replica behind the session (a table or column the session just
 * created) is a stale replica, `REPLICA_BEHIND`, not an error of the statement.
 */
export function checkedReadResult<R>(
  answer: (index: number) => QueryResult<unknown> | undefined,
  transactions: readonly TransactionId[] | undefined,
  minPosition: ReplicationPosition | undefined,
): PositionedResult<R> {
  const floor =
    transactions === undefined
      ? positionOf(lsnOf(answer(0)))
      : checkedPosition(answer(0), 'the replica', answer(1));
  assertCaughtUp(floor, minPosition);
  const offset = transactions === undefined ? 1 : 2;
  const read = answer(offset) as PositionedResult<R>['result'];
  return positioned(read, floor, positionOf(lsnOf(answer(offset + 1))), transactions);
}

/**
 * A PostgreSQL node's position, in one statement: the primary's insert position, a replica's replayed position
 * (`undefined` on a node that was never a standby), or, given the session's transaction ids, the replayed
 * position a replica reads once it proved them committed (`REPLICA_BEHIND` otherwise). What
 * `readPosition` of every PostgreSQL adapter does.
 */
export async function readPostgresPosition(
  connection: DatabaseConnection,
  role: NodeRole,
  transactions?: readonly TransactionId[],
): Promise<ReplicationPosition | undefined> {
  if (role === 'replica' && transactions !== undefined && transactions.length > 0) {
    return readCheckedPosition(connection, transactions);
  }
  if (role === 'primary')
    return primaryPositionOf(lsnOf(await connection.executeQuery(primaryPositionQuery)));
  return positionOf(lsnOf(await connection.executeQuery(replicaPositionQuery)));
}
