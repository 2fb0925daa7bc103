import type { NodeRole } from '../../consistency/replication-adapter.js';
import type { QueryClassReason } from '../../sql/query-class.js';

/**
 * Why a statement went to the node that served it.
 *
 * - `write`, `ddl`, `lock`, `side-effect`, `session`, `transaction-control`, `unknown`: classification forced the
 *   primary (see `QueryClassReason`).
 * - `transaction`: inside a transaction bound to this node; `pinned`: inside `db.connection()` after a write or
 *   session statement.
 * - `preference`: the read preference chose this node (`primary`, or a named `node` hint).
 * - `nearest`: the best-ranked replica (distance or measured latency); `caught-up`: a replica known to have
 *   applied the session's position; `checked`: a replica that verified the position in the read's round trip.
 * - `after-write`: the session's position was unknown after a write, so the primary served the read.
 * - `sticky`: the session's last read position is unknown, so the node that served it serves again (monotonic).
 * - `strong`: the read asked for strong consistency.
 * - `fallback`: an earlier choice failed or was stale and this node took over.
 * - `no-replica`: no replica could serve (all ejected, too stale, or none configured).
 * - `database`: the database chose the node itself (D1's Sessions API routes reads to its replicas); edge-db had
 *   no replica to choose, and `detail` says where the database served the read when it tells.
 * - `cache`: answered from the isolate cache.
 */
export type RouteReason =
  | Exclude<QueryClassReason, 'read'>
  | 'transaction'
  | 'pinned'
  | 'preference'
  | 'nearest'
  | 'caught-up'
  | 'checked'
  | 'after-write'
  | 'sticky'
  | 'strong'
  | 'fallback'
  | 'no-replica'
  | 'database'
  | 'hedged'
  | 'cache';

/** One routing decision, given to `EdgeDbConfig.onRoute` after the statement finished (or failed). */
export interface RouteEvent {
  /** The SQL text as compiled. */
  readonly sql: string;
  /** Name of the node that served (or last tried) the statement; `cache` for cache hits. */
  readonly node: string;
  readonly role: NodeRole | 'cache';
  readonly reason: RouteReason;
  /** Extra detail, e.g. `FOR UPDATE`, `replica-0 behind`, `caller in fra`. */
  readonly detail?: string;
  /** Wall time in milliseconds from the start of routing to the result. */
  readonly durationMs: number;
  /** Attempts made, in order, with their outcome. */
  readonly attempts: readonly RouteAttempt[];
  /** Cache outcome when the cache was consulted. */
  readonly cache?: 'hit' | 'miss' | 'stale' | 'bypass';
  /**
   * Why the cache was bypassed (`volatile-function`, `strong-consistency`, `write-position-pending`,
   * `read-position-unknown`, `token-newer-than-entry`, `position-unknown`), or that the load is a background
   * `refresh` of a stale entry, or that the read joined an identical read in flight.
   */
  readonly cacheReason?: string;
  /** The session's required position when the statement ran (as a decimal string), if any. */
  readonly requiredPosition?: string;
  /**
   * Writes of the session known by transaction id only (PostgreSQL `xid8`, decimal strings): a replica served
   * the read only after proving them committed.
   */
  readonly requiredTransactions?: readonly string[];
  /** The error the application received, if any. */
  readonly error?: unknown;
}

/** One try of a statement on one node. */
export interface RouteAttempt {
  readonly node: string;
  readonly role: NodeRole;
  readonly outcome: 'ok' | 'error' | 'behind' | 'timeout' | 'aborted';
  readonly durationMs: number;
}
