import type { ReplicationPosition } from '../../consistency/replication-position.js';
import { LatencyTracker } from '../select/health/latency-tracker.js';

/**
 * What an isolate has learnt about one node. Plain data at module scope: it outlives requests (Workers allow
 * that for data, not for sockets) and is shared by every `edgeDb` instance of the same cluster.
 */
export interface NodeState {
  /** The highest position this node is known to have applied, as the node itself last reported it. */
  knownPosition: ReplicationPosition | undefined;
  /** When `knownPosition` was last confirmed (ms, instance clock). */
  knownAt: number | undefined;
  /** Requests to this node currently running from this isolate (for load spreading). */
  inFlight: number;
  /**
   * A rough estimate of how far behind the primary this replica runs, in milliseconds: raised when it is found
   * behind a session's write (by the time since that write), halved when it is found caught up.
   */
  estimatedLagMs: number | undefined;
  /** Measured round trips. */
  readonly latency: LatencyTracker;
  /**
   * Tables (lower-cased names) whose writes, extended with `RETURNING pg_current_xact_id()`, returned their
   * transaction id here (PostgreSQL 13+, and no `DO INSTEAD` rule refusing RETURNING): writes to them inside
   * transactions are extended too. Only those: inside a transaction, a refused extension would abort the
   * caller's transaction. Bounded ({@link MAX_TRANSACTION_ID_TABLES}).
   */
  readonly transactionIdTables: Set<string>;
}

/** How many table names {@link NodeState.transactionIdTables} keeps. */
export const MAX_TRANSACTION_ID_TABLES = 256;

/** Notes that writes to `tables` returned their transaction id on this node. */
export function noteTransactionIdTables(state: NodeState, tables: readonly string[] | undefined): void {
  if (tables === undefined) return;
  for (const table of tables) {
    if (state.transactionIdTables.size >= MAX_TRANSACTION_ID_TABLES) return;
    state.transactionIdTables.add(table.toLowerCase());
  }
}

/** True when every one of `tables` is known to return transaction ids on this node. */
export function returnsTransactionIdsFor(state: NodeState, tables: readonly string[] | undefined): boolean {
  if (tables === undefined || tables.length === 0) return false;
  for (const table of tables) if (!state.transactionIdTables.has(table.toLowerCase())) return false;
  return true;
}

/** A node's state before anything is known. */
export function newNodeState(now: () => number): NodeState {
  return {
    knownPosition: undefined,
    knownAt: undefined,
    inFlight: 0,
    estimatedLagMs: undefined,
    latency: new LatencyTracker({ now }),
    transactionIdTables: new Set(),
  };
}

/**
 * Records a position the node reported. A report below what was known means the node was rebuilt, restored
 * or failed over behind its old position: what it says now is what is true, so knowledge is replaced, never
 * kept above the node's own word.
 */
export function observeNodePosition(
  state: NodeState,
  position: ReplicationPosition | undefined,
  now: number,
): void {
  if (position === undefined) return;
  state.knownPosition = position;
  state.knownAt = now;
}

/**
 * How long a node's reported position is trusted to spare a freshness check. Positions only grow on a healthy
 * replica, but one rebuilt or restored behind its old position must be found out: knowledge ages.
 */
export const KNOWN_POSITION_TRUST_MS = 10_000;

/** The node's known position while it is recent enough to rely on, else `undefined`. */
export function trustedPosition(state: NodeState, now: number): ReplicationPosition | undefined {
  const { knownPosition, knownAt } = state;
  if (knownPosition === undefined || knownAt === undefined) return undefined;
  return now - knownAt <= KNOWN_POSITION_TRUST_MS ? knownPosition : undefined;
}
