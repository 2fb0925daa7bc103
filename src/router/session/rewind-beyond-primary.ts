import type { ReplicationPosition } from '../../consistency/replication-position.js';
import { isEdgeDbError } from '../../errors/edge-db-error.js';
import { acquireConnection } from '../execute/acquire-connection.js';
import { withDeadline } from '../execute/with-deadline.js';
import type { RouterContext } from '../router-context.js';

/**
 * A read found no replica at the session's requirement and never asked the primary (`readPreference:
 * 'replica'`). When the requirement lies beyond the primary itself (a token from before a restore, or forged
 * without a secret), no replica will ever reach it: every later read would fail until the cookie expires.
 * Asks the primary for its position once; when it is behind the requirement, rewinds the session to it (as a
 * read on the primary would) and returns true so the read can be tried again.
 */
export async function rewindBeyondPrimary(
  ctx: RouterContext,
  error: unknown,
  required: ReplicationPosition | undefined,
): Promise<boolean> {
  if (required === undefined || ctx.primary.adapter === undefined) return false;
  if (!isEdgeDbError(error, 'NO_REPLICA_AVAILABLE') || !isEdgeDbError(error.cause, 'REPLICA_BEHIND'))
    return false;
  const timeout = ctx.settings.attemptTimeoutMs;
  let position: ReplicationPosition | undefined;
  try {
    const connection = await acquireConnection(ctx.primary, timeout);
    try {
      position = await withDeadline(
        ctx.primary.adapter.readPosition(connection, 'primary'),
        timeout,
        `node "${ctx.primary.name}"`,
      );
    } finally {
      await ctx.primary.driver.releaseConnection(connection);
    }
  } catch {
    // The primary cannot tell: the read's own error stands.
    return false;
  }
  if (position === undefined || position >= required) return false;
  rewindSessionTo(ctx, position);
  return true;
}

/**
 * The primary is behind the session: nothing can satisfy the requirement. Trust the primary and forget
 * positions beyond it, in the session and in what the isolate knows of every node.
 */
export function rewindSessionTo(ctx: RouterContext, position: ReplicationPosition): void {
  ctx.session.rewindTo(position);
  for (const state of ctx.cluster.nodes()) {
    if (state.knownPosition !== undefined && state.knownPosition > position) state.knownPosition = undefined;
  }
}
