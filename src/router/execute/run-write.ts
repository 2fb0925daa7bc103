import type { CompiledQuery, QueryResult } from 'kysely';
import type { TransactionId } from '../../consistency/postgres-transaction-id.js';
import { signalOf } from '../../consistency/query-signal.js';
import type { ReplicationPosition } from '../../consistency/replication-position.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { QueryAnalysis } from '../../sql/analyze-query.js';
import type { QueryClass } from '../../sql/query-class.js';
import { noteTransactionIdTables, observeNodePosition } from '../cluster/node-state.js';
import { attemptOf } from '../observe/emit-route.js';
import type { RouteReason } from '../observe/route-event.js';
import type { RouteHint } from '../plan/route-hint.js';
import type { ExecutionScope } from './execution-scope.js';
import { attemptOutcomeOf, isUnreachable } from './node-failure.js';
import { withDeadline } from './with-deadline.js';

/** What a statement that must run on the primary is, for {@link runWrite}. */
export interface PrimaryStatement {
  readonly queryClass: QueryClass;
  /** The SQL text's analysis that classified it; absent for a SELECT a replica refused as a write. */
  readonly analysis?: QueryAnalysis | undefined;
  readonly query: CompiledQuery;
  readonly rest: unknown[];
  readonly started: number;
  readonly hint: RouteHint | undefined;
  /** Outside `db.connection()` and transactions: the statement commits by itself. */
  readonly autocommit: boolean;
  /** Tables it writes when the analysis cannot tell (a SELECT a replica refused as a write). */
  readonly writtenTables?: 'unknown' | undefined;
}

/**
 * Runs a write, DDL, lock or session statement on the primary. Never retried elsewhere: it may not be
 * idempotent. Afterwards the session knows it wrote (with the commit's position when the adapter tells it in
 * the same round trip) and the cache drops what it touched.
 *
 * The primary answering with an error has proved its state too (a unique violation from a concurrent
 * `create table if not exists`): the session's next read reflects it, as after a write. An unreachable
 * primary becomes `PRIMARY_UNAVAILABLE`; once the statement was sent it may have committed, which the session
 * records the same way.
 */
export async function runWrite<R>(
  scope: ExecutionScope,
  statement: PrimaryStatement,
): Promise<QueryResult<R>> {
  const { ctx } = scope;
  const { queryClass, query, hint } = statement;
  const node = ctx.primary;
  const reason = queryClass.reason as RouteReason;
  const writes = queryClass.reason !== 'lock';
  ctx.beginAttempt(node);
  const attemptStart = ctx.now();
  let position: ReplicationPosition | undefined;
  let transaction: TransactionId | undefined;
  let reached = false;
  try {
    const connection = await scope.held.acquire(node, ctx.settings.attemptTimeoutMs);
    reached = true;
    const adapter = node.adapter;
    let result: QueryResult<R>;
    const deadline = hint?.timeoutMs ?? ctx.settings.timeoutMs;
    // Only an autocommit statement's own round trip can tell its post-commit position (or, on PostgreSQL, its
    // transaction id, which replicas can check instead).
    if (writes && statement.autocommit && adapter?.executeWrite !== undefined) {
      const written = await withDeadline(
        adapter.executeWrite<R>(connection, query, { signal: signalOf(statement.rest[0]) }),
        deadline,
        `primary "${node.name}"`,
      );
      result = written.result;
      position = written.position;
      transaction = written.transaction;
      // The tables whose writes inside a transaction may then return its id (see routing-connection.ts).
      if (transaction !== undefined && statement.analysis !== undefined)
        noteTransactionIdTables(node.state, statement.analysis.writtenTables(query));
    } else if (writes && statement.autocommit && adapter?.executeWithPosition !== undefined) {
      const positioned = await withDeadline(
        adapter.executeWithPosition<R>(connection, query, { role: 'primary' }),
        deadline,
        `primary "${node.name}"`,
      );
      result = positioned.result;
      position = positioned.position;
    } else {
      result = await withDeadline(
        connection.executeQuery<R>(query, ...(statement.rest as [])),
        deadline,
        `primary "${node.name}"`,
      );
    }
    const now = ctx.now();
    if (writes) {
      ctx.session.noteWrite(position, now, transaction);
      scope.invalidate(query, statement.writtenTables);
    } else if (statement.autocommit) {
      // A locking read answered by the primary: the session has not learnt the position its rows reflect.
      ctx.session.noteServedBy(node.name, node.role, undefined);
    }
    observeNodePosition(node.state, position, now);
    const attempt = attemptOf(node, 'ok', attemptStart, now);
    ctx.endAttempt(node, attempt.outcome, attempt.durationMs);
    if (ctx.observed)
      ctx.finish({
        query,
        node,
        reason,
        started: statement.started,
        attempts: [attempt],
        detail: queryClass.detail,
      });
    return result;
  } catch (error) {
    const now = ctx.now();
    const unreachable = isUnreachable(error);
    const attempt = attemptOf(node, attemptOutcomeOf(error, false), attemptStart, now);
    ctx.endAttempt(node, attempt.outcome, attempt.durationMs);
    if (unreachable) scope.held.discard(node);
    if (reached) {
      // Either it may have committed before the failure, or the primary answered with an error that proves
      // a state the session's next read must reflect. A failed connect ran nothing.
      ctx.session.noteWrite(undefined, now);
      if (writes) scope.invalidate(query, statement.writtenTables);
    }
    const surfaced = unreachable
      ? new EdgeDbError(
          'PRIMARY_UNAVAILABLE',
          `the primary "${node.name}" failed while running a ${queryClass.reason} statement; it was not retried ` +
            'because it may not be idempotent and may or may not have been applied. Retry when the primary is back.',
          { cause: error },
        )
      : error;
    if (ctx.observed) {
      ctx.finish({
        query,
        node,
        reason,
        started: statement.started,
        attempts: [attempt],
        error: surfaced,
        detail: queryClass.detail,
      });
    }
    throw surfaced;
  }
}
