import type { CompiledQuery, DatabaseConnection } from 'kysely';
import {
  checkedReadQueries,
  checkedReadResult,
  readPostgresPosition,
} from '../../consistency/checked-replica-read.js';
import {
  assertCaughtUp,
  lsnOf,
  positioned,
  primaryPositionOf,
  primaryPositionQuery,
} from '../../consistency/positioned-read.js';
import {
  executeReturningTransactionId,
  type TransactionId,
} from '../../consistency/postgres-transaction-id.js';
import { signalArgument } from '../../consistency/query-signal.js';
import type {
  NodeRole,
  PositionedResult,
  ReplicationAdapter,
  WriteResult,
} from '../../consistency/replication-adapter.js';
import type { ReplicationPosition } from '../../consistency/replication-position.js';
import { analyzeQuery } from '../../sql/analyze-query.js';
import { NeonConnection } from './neon-connection.js';

/**
 * Reads and requires PostgreSQL WAL positions on a Neon node.
 *
 * - `readPosition`: one statement (`pg_current_wal_insert_lsn()` / `pg_last_wal_replay_lsn()`).
 * - `executeWithPosition` on a replica over HTTP: ONE request, a read-only READ COMMITTED batch of
 *   {@link checkedReadQueries} (`[check, replayed position, the read, replay position]` for the session's
 *   transaction ids, `[replay position, the read, replay position]` for a position). The check runs first and
 *   every statement of a READ COMMITTED transaction takes a new snapshot, so the rows reflect at least the
 *   position checked (the floor). Behind the session, the rows are discarded and the call rejects with
 *   `REPLICA_BEHIND`.
 * - A read on a primary over HTTP: ONE request, a READ COMMITTED batch `[the read, insert position]`
 *   (not read-only: a function taken for a read may write). It returns only `position`, no floor: a commit
 *   record can be in the WAL before the commit is visible to other sessions.
 * - An autocommit write (`executeWrite`): ONE request, the statement with `pg_current_xact_id()` added to
 *   its RETURNING list. A position read in the same transaction as a write precedes its commit record, so the
 *   write's transaction id stands in for it until a position covers it: a replica proves the id committed
 *   (`xid < xmin`, or `< xmax` and committed) in a statement before the read, in the read's own request.
 * - A write it cannot extend (raw SQL) leaves the position `undefined`: the router reads it after the commit.
 *
 * ### Examples
 * ```ts
 * const backend = neon({ url }) // backend.replication is a NeonReplicationAdapter
 * const position = await backend.replication.readPosition(connection, 'replica')
 * ```
 */
export class NeonReplicationAdapter implements ReplicationAdapter {
  readonly family = 'postgres' as const;
  readonly checksTransactions = true;

  readPosition(
    connection: DatabaseConnection,
    role: NodeRole,
    transactions?: readonly TransactionId[],
  ): Promise<ReplicationPosition | undefined> {
    return readPostgresPosition(connection, role, transactions);
  }

  executeWrite<R>(
    connection: DatabaseConnection,
    query: CompiledQuery,
    options: { readonly signal?: AbortSignal | undefined },
  ): Promise<WriteResult<R>> {
    return executeReturningTransactionId<R>(connection, query, options.signal);
  }

  async executeWithPosition<R>(
    connection: DatabaseConnection,
    query: CompiledQuery,
    options: {
      readonly role: NodeRole;
      readonly minPosition?: ReplicationPosition | undefined;
      readonly transactions?: readonly TransactionId[] | undefined;
      readonly signal?: AbortSignal | undefined;
    },
  ): Promise<PositionedResult<R>> {
    const { signal } = options;
    const transactions = options.transactions?.length ? options.transactions : undefined;
    if (options.role === 'primary') {
      // A read on the primary learns the position in the same HTTP request: every write it must reflect has
      // committed before it. A write's own position would be read inside its transaction, before its commit
      // record, so it is left to the router to read after the commit.
      if (
        connection instanceof NeonConnection &&
        connection.transport === 'http' &&
        !analyzeQuery(query).queryClass.requiresPrimary
      ) {
        // The position read after the statement is at or after every commit the rows reflect. No floor: a
        // commit record can be in the WAL before its transaction is visible to other sessions, so a
        // position read before the statement may cover commits the rows do not show. Not read-only: a
        // function the classifier took for a read may write, and plain Kysely would let it.
        const [read, after] = await connection.executeHttpBatch([query, primaryPositionQuery], {
          isolationLevel: 'ReadCommitted',
          readOnly: false,
          signal,
        });
        return {
          result: read as PositionedResult<R>['result'],
          position: primaryPositionOf(lsnOf(after)),
        };
      }
      return {
        result: await connection.executeQuery<R>(query, ...signalArgument(signal)),
        position: undefined,
      };
    }
    if (connection instanceof NeonConnection && connection.transport === 'http') {
      // One request; the statements of a READ COMMITTED batch take a snapshot each.
      const results = await connection.executeHttpBatch(checkedReadQueries(query, transactions), {
        isolationLevel: 'ReadCommitted',
        readOnly: true,
        signal,
      });
      return checkedReadResult<R>((index) => results[index], transactions, options.minPosition);
    }
    // In a session (or another connection type): check, read, and read the position again on one connection.
    const floor = await this.readPosition(connection, 'replica', transactions);
    assertCaughtUp(floor, options.minPosition);
    const result = await connection.executeQuery<R>(query, ...signalArgument(signal));
    return positioned(result, floor, await this.readPosition(connection, 'replica'), transactions);
  }
}
