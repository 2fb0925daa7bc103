import type { CompiledQuery, QueryResult } from 'kysely';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { primaryClass, type QueryClass } from '../../sql/query-class.js';
import { attemptOf } from '../observe/emit-route.js';
import type { RouteReason } from '../observe/route-event.js';
import type { RouteHint } from '../plan/route-hint.js';
import type { RoutedNode } from '../routed-node.js';
import type { ExecutionScope } from './execution-scope.js';
import { attemptOutcomeOf, isNodeFailure, isWriteRefusal } from './node-failure.js';
import { withDeadline } from './with-deadline.js';

/** A stream as routed, for {@link runStream}. */
export interface StreamStatement {
  readonly node: RoutedNode;
  readonly reason: RouteReason;
  readonly queryClass: QueryClass;
  readonly query: CompiledQuery;
  readonly chunkSize: number | undefined;
  readonly rest: unknown[];
  readonly started: number;
  readonly hint: RouteHint | undefined;
  /** Tables it writes when the analysis cannot tell (a SELECT a replica refused as a write). */
  readonly writtenTables?: 'unknown' | undefined;
}

/**
 * Streams a statement's rows from one node. A stream cannot move to another node once rows flowed, so it is
 * bounded instead: the first chunk must arrive within `attemptTimeoutMs`, and each later chunk within
 * `attemptTimeoutMs` of the previous one (a standby that dies mid-stream ends it with `TIMEOUT`, not a hang).
 * On any end the node's connection is released (dropped when the node failed), and a failure counts against
 * the node's health.
 *
 * A replica refusing the statement as a write before any row flowed (a function that writes) makes it a write
 * on the primary, remembered by its SQL text, as for reads (see `runRead`).
 */
export async function* runStream<R>(
  scope: ExecutionScope,
  statement: StreamStatement,
): AsyncIterableIterator<QueryResult<R>> {
  let flowed = false;
  try {
    for await (const chunk of streamFromNode<R>(scope, statement)) {
      flowed = true;
      yield chunk;
    }
  } catch (error) {
    const { ctx } = scope;
    if (
      flowed ||
      statement.node.role !== 'replica' ||
      scope.transaction !== undefined ||
      !isWriteRefusal(error)
    )
      throw error;
    // A replica refused it as a write before any row flowed (a function that writes): as for reads, it is a
    // write, run on the primary and remembered by its SQL text so the next one goes there first.
    ctx.cluster.noteWritingStatement(statement.query.sql);
    scope.pinned = true;
    yield* streamFromNode<R>(scope, {
      ...statement,
      node: ctx.primary,
      reason: 'write',
      queryClass: primaryClass('write', 'a replica refused it as a write'),
      started: ctx.now(),
      writtenTables: 'unknown',
    });
  }
}

/** Streams from the statement's node, bounded and accounted as described at {@link runStream}. */
async function* streamFromNode<R>(
  scope: ExecutionScope,
  statement: StreamStatement,
): AsyncIterableIterator<QueryResult<R>> {
  const { ctx } = scope;
  const { node, query, queryClass } = statement;
  const idleMs = ctx.settings.attemptTimeoutMs;
  ctx.beginAttempt(node);
  const attemptStart = ctx.now();
  let error: unknown;
  let chunks = 0;
  try {
    const connection = await scope.held.acquire(node, idleMs);
    if (connection.streamQuery === undefined) {
      throw new EdgeDbError('UNSUPPORTED', `the dialect of node "${node.name}" does not support streaming`);
    }
    const stream = (
      connection.streamQuery as (
        q: CompiledQuery,
        c?: number,
        ...r: unknown[]
      ) => AsyncIterableIterator<QueryResult<R>>
    ).call(connection, query, statement.chunkSize, ...statement.rest);
    try {
      while (true) {
        const next = await withDeadline(
          stream.next(),
          idleMs,
          chunks === 0
            ? `node "${node.name}" (first rows of a stream)`
            : `node "${node.name}" (next rows of a stream)`,
        );
        if (next.done === true) break;
        chunks++;
        yield next.value;
      }
    } finally {
      // Ends the driver's cursor; a dead node may never answer, so this is bounded too.
      await withDeadline(
        Promise.resolve(stream.return?.()),
        idleMs,
        `closing a stream on "${node.name}"`,
      ).catch(() => undefined);
    }
  } catch (caught) {
    error = caught;
    throw caught;
  } finally {
    const now = ctx.now();
    const outcome = error === undefined ? 'ok' : attemptOutcomeOf(error, false);
    const attempt = attemptOf(node, outcome, attemptStart, now);
    ctx.endAttempt(node, attempt.outcome, attempt.durationMs);
    if (error !== undefined && isNodeFailure(error)) scope.held.discard(node);
    if (queryClass.requiresPrimary && queryClass.reason !== 'lock') {
      // A streamed statement that writes (a data-modifying CTE) is a write like any other.
      if (scope.transaction === undefined) ctx.session.noteWrite(undefined, now);
      scope.invalidate(query, statement.writtenTables);
    } else if (
      scope.transaction === undefined &&
      (statement.hint?.consistency ?? ctx.settings.consistency) === 'session'
    ) {
      // Streamed rows come without a position: keep later reads on this node (or the primary).
      ctx.session.noteServedBy(node.name, node.role, undefined);
    }
    if (ctx.observed) {
      ctx.finish({
        query,
        node,
        reason: statement.reason,
        started: statement.started,
        attempts: [attempt],
        error,
      });
    }
  }
}
