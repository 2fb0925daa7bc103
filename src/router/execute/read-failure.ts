import { EdgeDbError } from '../../errors/edge-db-error.js';
import { primaryClass } from '../../sql/query-class.js';
import type { RouteAttempt } from '../observe/route-event.js';
import type { RouteHint } from '../plan/route-hint.js';
import type { RoutePlan } from '../plan/route-plan.js';
import type { RoutedNode } from '../routed-node.js';
import type { ExecutionScope } from './execution-scope.js';
import { isNodeFailure } from './node-failure.js';
import type { NodeReadResult, ReadStatement } from './read-statement.js';
import { runWrite } from './run-write.js';

/**
 * A replica refused the read because it writes: it is a write. It runs on the primary as one (the session
 * notes the write, the cache drops what it may have touched and does not keep its rows), and the cluster
 * remembers its SQL text so the next one goes to the primary first.
 */
export async function writeInstead<R>(
  scope: ExecutionScope,
  read: ReadStatement,
  refusedBy: RoutedNode,
  attempts: RouteAttempt[],
  refusal: unknown,
): Promise<NodeReadResult<R>> {
  const { ctx } = scope;
  ctx.cluster.noteWritingStatement(read.query.sql);
  if (ctx.observed) {
    ctx.finish({
      query: read.query,
      node: refusedBy,
      reason: read.plan.attempts[0]?.reason ?? 'nearest',
      started: read.started,
      attempts,
      error: refusal,
      detail: 'refused by a replica as a write: running it on the primary',
    });
  }
  scope.pinned = true;
  const result = await runWrite<R>(scope, {
    queryClass: primaryClass('write', 'a replica refused it as a write'),
    query: read.query,
    rest: read.rest,
    started: ctx.now(),
    hint: read.hint,
    autocommit: true,
    writtenTables: 'unknown',
  });
  return { result, position: undefined, floor: undefined, node: ctx.primary, reason: 'write' };
}

/** The error the application gets when no node could serve a read. */
export function readError(
  scope: ExecutionScope,
  error: unknown,
  plan: RoutePlan,
  attempts: RouteAttempt[],
  lastNode: RoutedNode,
  hint: RouteHint | undefined,
): unknown {
  const { ctx } = scope;
  if (!isNodeFailure(error)) return error;
  const tried = attempts.map((a) => `${a.node}: ${a.outcome}`).join(', ') || 'none usable';
  if (lastNode.role === 'primary') {
    return new EdgeDbError(
      'PRIMARY_UNAVAILABLE',
      `the primary "${lastNode.name}" failed and no replica could serve this read at consistency ` +
        `'${hint?.consistency ?? ctx.settings.consistency}' (${tried}). ` +
        (ctx.session.positionPending
          ? "The session has a write whose position is unconfirmed; read with consistency 'eventual' to accept replica data."
          : 'Retry shortly.'),
      { cause: error },
    );
  }
  if (plan.attempts.every((a) => a.node.role === 'replica')) {
    return new EdgeDbError(
      'NO_REPLICA_AVAILABLE',
      `no replica could serve this read (${tried}); use readPreference 'replicaPreferred' to fall back to the primary`,
      { cause: error },
    );
  }
  return error;
}
