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
import { postgresReplication } from './postgres-replication.js';
import { checkedPosition, transactionsCheckQuery } from './postgres-transaction-id.js';
import type { PositionedResult, ReplicationAdapter } from './replication-adapter.js';

/**
 * The PostgreSQL adapter for a dialect whose connections pipeline: statements given to one connection without
 * waiting are written to the server at once and answered in order, each in its own implicit transaction
 * (node-postgres 8.23+ with `pipeline: true` on its `Pool` or `Client`). The check a replica runs before a
 * read (the session's position, or its writes' transaction ids) then rides in the read's own round trip, as
 * on Neon HTTP: `[check, position, read, position]` go out together (`[position, read, position]` for a
 * position alone); the rows are discarded and the call rejects with `REPLICA_BEHIND` when the check fails. A read on the primary learns its position the same way
 * (`[read, position]`). Writes learn their transaction id with `RETURNING`, as with {@link postgresReplication}.
 *
 * Use it only over a pipelining connection: over one that is not, the statements still run one after the other
 * (node-postgres queues them, and prints a deprecation warning), correctly but at one round trip each.
 * node-postgres refuses cursors in pipeline mode, so Kysely's `.stream()` is not available on such a pool.
 *
 * ### Examples
 * ```ts
 * const pool = new pg.Pool({ connectionString, pipeline: true })
 * edgeDb({ primary: { dialect: new PostgresDialect({ pool }), replication: pipelinedPostgresReplication }, replicas })
 * ```
 */
export const pipelinedPostgresReplication: ReplicationAdapter = Object.freeze({
  family: 'postgres' as const,
  checksTransactions: true,
  readPosition: postgresReplication.readPosition,
  executeWrite: postgresReplication.executeWrite!,
  async executeWithPosition<R>(
    connection: DatabaseConnection,
    query: CompiledQuery,
    options: Parameters<NonNullable<ReplicationAdapter['executeWithPosition']>>[2],
  ): Promise<PositionedResult<R>> {
    const transactions = options.transactions?.length ? options.transactions : undefined;
    if (options.role === 'primary') {
      // The position read after the statement is at or after every commit the rows reflect. No floor: a commit
      // record can be in the WAL before its transaction is visible to other sessions.
      const [read, after] = await pipeline<[R, { lsn: string | null }]>(connection, [
        query,
        primaryPositionQuery,
      ]);
      return { result: read, position: primaryPositionOf(lsnOf(after)) };
    }
    if (transactions === undefined && options.minPosition === undefined) {
      // Nothing to prove: the read and the position after it (no floor), in one round trip.
      const [read, after] = await pipeline<[R, { lsn: string | null }]>(connection, [
        query,
        replicaPositionQuery,
      ]);
      return { result: read, position: positionOf(lsnOf(after)) };
    }
    // Ids: [check, replayed position, read, position]; the second statement proves a commit seen only in the
    // commit log has finished replaying (see checkedPosition). Positions: [position, read, position].
    const queries =
      transactions === undefined
        ? [replicaPositionQuery, query, replicaPositionQuery]
        : [transactionsCheckQuery(transactions), replicaPositionQuery, query, replicaPositionQuery];
    const settled = await Promise.allSettled(queries.map((each) => connection.executeQuery(each)));
    const answer = (index: number): QueryResult<unknown> => {
      const outcome = settled[index]!;
      if (outcome.status === 'rejected') throw outcome.reason;
      return outcome.value;
    };
    // The check decides first: a read that failed on a replica behind the session (a table or column the
    // session just created) is a stale replica, not an error of the statement.
    const floor =
      transactions === undefined
        ? positionOf(lsnOf(answer(0)))
        : checkedPosition(answer(0), 'the replica', answer(1));
    assertCaughtUp(floor, options.minPosition);
    const offset = transactions === undefined ? 1 : 2;
    const read = answer(offset) as QueryResult<R>;
    return positioned(read, floor, positionOf(lsnOf(answer(offset + 1))), transactions);
  },
} satisfies ReplicationAdapter);

type Results<T extends unknown[]> = { [K in keyof T]: QueryResult<T[K]> };

/**
 * Hands every statement to the connection before awaiting any, and waits for all of them: the connection is
 * never released with a statement still in flight. The first failure, in statement order, is thrown.
 */
async function pipeline<T extends unknown[]>(
  connection: DatabaseConnection,
  queries: readonly CompiledQuery[],
): Promise<Results<T>> {
  const settled = await Promise.allSettled(queries.map((query) => connection.executeQuery(query)));
  const results: QueryResult<unknown>[] = [];
  for (const outcome of settled) {
    if (outcome.status === 'rejected') throw outcome.reason;
    results.push(outcome.value);
  }
  return results as Results<T>;
}
