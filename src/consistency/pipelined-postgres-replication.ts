import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import { checkedReadQueries, checkedReadResult } from './checked-replica-read.js';
import {
  lsnOf,
  positionOf,
  primaryPositionOf,
  primaryPositionQuery,
  replicaPositionQuery,
} from './positioned-read.js';
import { postgresReplication } from './postgres-replication.js';
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
      const answer = await pipeline(connection, [query, primaryPositionQuery]);
      return { result: answer(0) as QueryResult<R>, position: primaryPositionOf(lsnOf(answer(1))) };
    }
    if (transactions === undefined && options.minPosition === undefined) {
      // Nothing to prove: the read and the position after it (no floor), in one round trip.
      const answer = await pipeline(connection, [query, replicaPositionQuery]);
      return { result: answer(0) as QueryResult<R>, position: positionOf(lsnOf(answer(1))) };
    }
    const answer = await pipeline(connection, checkedReadQueries(query, transactions));
    return checkedReadResult<R>(answer, transactions, options.minPosition);
  },
} satisfies ReplicationAdapter);

/**
 * Hands every statement to the connection before awaiting any, and waits for all of them: the connection is
 * never released with a statement still in flight. `answer(i)` gives the i-th statement's result or throws its
 * error, so the caller decides which failure counts first.
 */
async function pipeline(
  connection: DatabaseConnection,
  queries: readonly CompiledQuery[],
): Promise<(index: number) => QueryResult<unknown>> {
  const settled = await Promise.allSettled(queries.map((query) => connection.executeQuery(query)));
  return (index) => {
    const outcome = settled[index]!;
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  };
}
