import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import { attemptOf } from '../observe/emit-route.js';
import type { RouteReason } from '../observe/route-event.js';
import type { RouteHint } from '../plan/route-hint.js';
import type { RoutedNode } from '../routed-node.js';
import type { ExecutionScope } from './execution-scope.js';
import { withDeadline } from './with-deadline.js';

/**
 * Runs a statement on the node it is bound to (inside a transaction, or a `db.connection()` block pinned to
 * the primary): no choice, no fallback, no freshness check.
 */
export async function runOnNode<R>(
  scope: ExecutionScope,
  node: RoutedNode,
  reason: RouteReason,
  query: CompiledQuery,
  rest: unknown[],
  started: number,
  hint: RouteHint | undefined,
  /** Runs the statement on the node's connection, when not as it is (a write that returns its transaction id). */
  execute?: (connection: DatabaseConnection) => Promise<QueryResult<R>>,
): Promise<QueryResult<R>> {
  const { ctx } = scope;
  const attemptStart = ctx.observed ? ctx.now() : 0;
  try {
    const connection = await scope.held.acquire(node, ctx.settings.attemptTimeoutMs);
    const result = await withDeadline(
      execute === undefined ? connection.executeQuery<R>(query, ...(rest as [])) : execute(connection),
      hint?.timeoutMs ?? ctx.settings.timeoutMs,
      `node "${node.name}"`,
    );
    if (ctx.observed) {
      ctx.finish({
        query,
        node,
        reason,
        started,
        attempts: [attemptOf(node, 'ok', attemptStart, ctx.now())],
      });
    }
    return result;
  } catch (error) {
    if (ctx.observed) {
      ctx.finish({
        query,
        node,
        reason,
        started,
        attempts: [attemptOf(node, 'error', attemptStart, ctx.now())],
        error,
      });
    }
    throw error;
  }
}
