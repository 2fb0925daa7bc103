import type { Kysely } from 'kysely';
import { decodeToken, encodeToken } from '../../consistency/consistency-token.js';
import { sessionBookmarksOf } from '../../drivers/driver-capabilities.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { acquireConnection } from '../execute/acquire-connection.js';
import { withDeadline } from '../execute/with-deadline.js';
import type { RoutedNode } from '../routed-node.js';
import type { RouterContext } from '../router-context.js';
import { routerContextOf } from '../router-context-of.js';

/**
 * Applies the instance's starting token (`consistency.token`) to its session. Runs once per instance, before
 * its first statement. Invalid tokens (malformed, forged, of another database, or older than
 * `consistency.tokenMaxAgeSeconds`) are ignored (and remembered in `tokenError`) or thrown, per
 * `onInvalidToken`. A driver that keeps its own session (D1) is started from the token's bookmark.
 * Without a token there is nothing to decode: it returns `undefined` at once, with no async frame (an instance
 * per request is the usual shape of an edge function).
 */
export function restoreSession(context: RouterContext): Promise<void> | undefined {
  const initial = context.tokens.initial;
  if (initial === undefined || initial === null || initial === '') {
    sessionBookmarksOf(context.primary.driver)?.start({
      bookmark: undefined,
      strong: context.settings.consistency === 'strong',
    });
    return undefined;
  }
  return restoreFromToken(context, initial);
}

async function restoreFromToken(context: RouterContext, initial: string): Promise<void> {
  const onInvalid = context.tokens.onInvalid;
  const bookmarks = sessionBookmarksOf(context.primary.driver);
  let bookmark: string | undefined;
  try {
    try {
      const payload = await decodeToken(initial, {
        key: await context.tokens.key(),
        cluster: context.tokens.cluster,
        family: context.tokens.family,
        maxAgeSeconds: context.tokens.maxAgeSeconds,
        nowSeconds: context.now() / 1000,
      });
      // A token of writes known by id only carries position 0, which requires nothing: not a position to
      // prove (nor to learn from the primary on a fallback).
      if (payload.transactions === undefined || payload.position > 0n)
        context.session.noteRead(payload.position);
      if (payload.transactions !== undefined) context.session.requireTransactions(payload.transactions);
      // A write of the token's session whose position and id were both unknown: learn one from the primary.
      if (payload.pending === true) context.session.positionPending = true;
      bookmark = payload.positionText;
    } catch (error) {
      const invalid =
        error instanceof EdgeDbError
          ? error
          : new EdgeDbError('TOKEN_MALFORMED', 'the consistency token could not be read', { cause: error });
      if (onInvalid === 'throw') {
        throw new EdgeDbError(
          invalid.code,
          `${invalid.message}; refused because consistency.onInvalidToken is 'throw' (use 'ignore' to start a fresh session instead)`,
          { cause: invalid.cause },
        );
      }
      context.session.tokenError = new EdgeDbError(invalid.code, `${invalid.message}; it was ignored`, {
        cause: invalid.cause,
      });
    }
  } finally {
    bookmarks?.start({ bookmark, strong: context.settings.consistency === 'strong' });
  }
}

/**
 * The session's consistency token: pass it to the next request (header, cookie, or body) so that request
 * reads at least what this one wrote or read. `undefined` when the session has nothing to carry yet.
 *
 * After a PostgreSQL write built with Kysely the token carries the write's transaction id, learnt in the write's
 * own round trip. If the session wrote and neither its position nor its transaction id is known (raw SQL, a
 * transaction), this costs one round trip to the primary.
 *
 * ### Examples
 * ```ts
 * await db.insertInto('comment').values(comment).execute()
 * const token = await consistencyToken(db)
 * return withToken(Response.json({ ok: true }), token)
 * ```
 */
export async function consistencyToken(db: Kysely<any>): Promise<string | undefined> {
  const context = await routerContextOf(db);
  const session = context.session;
  if (session.positionPending) await learnPosition(context, context.primary, true);
  else if (session.unlearnedNode !== undefined) {
    const node = context.nodesByName.get(session.unlearnedNode);
    // The primary is at or past any replica: ask it when the node the session read from does not answer, or
    // answers no position (a replica that is not a standby of it).
    if (node !== undefined) {
      const learnt = await learnPosition(context, node, false).catch((error: unknown) =>
        node.role === 'replica' ? false : Promise.reject(error),
      );
      if (!learnt && node.role === 'replica') await learnPosition(context, context.primary, false);
    }
  }
  const transactions = session.pendingTransactions;
  if (session.minPosition === undefined && transactions.length === 0) return undefined;
  const bookmark = sessionBookmarksOf(context.primary.driver)?.current();
  return encodeToken(
    {
      cluster: context.tokens.cluster,
      family: context.tokens.family,
      // Writes known by transaction id only travel as ids: a replica near the next request can prove them.
      position: session.minPosition ?? 0n,
      issuedAt: context.now() / 1000,
      ...(bookmark === undefined ? {} : { positionText: bookmark }),
      ...(transactions.length === 0 ? {} : { transactions }),
    },
    await context.tokens.key(),
  );
}

/** What a session knows, for diagnostics and tests. */
export interface SessionInfo {
  /** The position every read must reflect, as a decimal string. */
  readonly requiredPosition: string | undefined;
  /** A write committed whose position is not known yet. */
  readonly positionPending: boolean;
  /** Writes known by transaction id only (PostgreSQL `xid8`, decimal), which replicas must prove committed. */
  readonly pendingTransactions: readonly string[];
  /** Why the starting token was ignored, if it was. */
  readonly tokenError: Error | undefined;
}

/** Describes the session of an `edgeDb` instance. */
export async function sessionInfo(db: Kysely<any>): Promise<SessionInfo> {
  const context = await routerContextOf(db);
  await restoreOnce(db);
  const { session } = context;
  return {
    requiredPosition: session.minPosition?.toString(),
    positionPending: session.positionPending,
    pendingTransactions: session.pendingTransactions.map(String),
    tokenError: session.tokenError,
  };
}

async function restoreOnce(db: Kysely<any>): Promise<void> {
  // Kysely initialises the driver (which restores the token) on the first connection; provide one.
  await db.connection().execute(async () => undefined);
}

/**
 * Reads a node's current position (at or past everything the session read from or wrote to it); false when the
 * node told none.
 */
async function learnPosition(
  context: RouterContext,
  node: RoutedNode,
  pendingWrite: boolean,
): Promise<boolean> {
  if (node.adapter === undefined) return false;
  const timeout = context.settings.attemptTimeoutMs;
  const connection = await acquireConnection(node, timeout);
  try {
    const position = await withDeadline(
      node.adapter.readPosition(connection, node.role),
      timeout,
      `node "${node.name}"`,
    );
    if (position === undefined) return false;
    if (pendingWrite) context.session.resolvePending(position);
    else context.session.noteServedBy(node.name, node.role, position);
    return true;
  } finally {
    await node.driver.releaseConnection(connection);
  }
}
