import type { ConsistencyMode } from '../../consistency/consistency-mode.js';
import type { TransactionId } from '../../consistency/postgres-transaction-id.js';
import type { ReplicationPosition } from '../../consistency/replication-position.js';
import type { ConsistencySession } from '../../consistency/session.js';
import { sessionBookmarksOf } from '../../drivers/driver-capabilities.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { QueryClass } from '../../sql/query-class.js';
import { trustedPosition } from '../cluster/node-state.js';
import type { RouteReason } from '../observe/route-event.js';
import type { RoutedNode } from '../routed-node.js';
import type { ReadPreference } from './read-preference.js';
import type { RouteHint } from './route-hint.js';

/**
 * How an attempt proves it is fresh enough:
 * - `none`: no requirement, or the node is known to be at or past it;
 * - `piggyback`: the adapter verifies the position in the read's own round trip;
 * - `probe`: read the node's position first (one extra round trip), then the rows.
 */
export type FreshnessCheck = 'none' | 'piggyback' | 'probe';

/** One planned try of a statement. */
export interface PlannedAttempt {
  readonly node: RoutedNode;
  readonly reason: RouteReason;
  readonly check: FreshnessCheck;
  /** Learn the position that served this attempt (to advance the session and the node's known position). */
  readonly learnPosition: boolean;
}

/** The ordered tries of one statement, and what the session requires. */
export interface RoutePlan {
  readonly attempts: readonly PlannedAttempt[];
  /** Whether reads of this plan advance the session (consistency `session`). */
  readonly tracksSession?: boolean;
  readonly requiredPosition: ReplicationPosition | undefined;
  /**
   * Writes of the session known by transaction id only: a replica serves the read only after proving them
   * committed (its check is never skipped for them), the primary has them.
   */
  readonly requiredTransactions?: readonly TransactionId[] | undefined;
  readonly detail?: string | undefined;
}

/** Everything a plan depends on; pure data so dry runs and tests can build plans without I/O. */
export interface PlanInput {
  readonly queryClass: QueryClass;
  readonly hint: RouteHint | undefined;
  readonly primary: RoutedNode;
  /** Replicas already ranked best first (nearest, healthy, within staleness bounds). */
  readonly rankedReplicas: readonly RoutedNode[];
  readonly readPreference: ReadPreference;
  readonly consistency: ConsistencyMode;
  readonly session: ConsistencySession;
  readonly now: number;
  /** For backends whose positions cannot be read: stay on the primary this long after a write. */
  readonly stickyAfterWriteMs: number;
  /** How many replicas a read may try before it falls back. */
  readonly maxReplicaAttempts: number;
  /** Every node by name, for `node` hints. */
  readonly nodesByName: ReadonlyMap<string, RoutedNode>;
  /**
   * A node's expected round trip (measured, or estimated from the caller's distance): a replica whose check
   * costs more than the primary's round trip is skipped.
   */
  readonly rtt?: { expectedRttMs(node: RoutedNode): number | undefined } | undefined;
}

/**
 * Decides where a statement goes, in order of preference. Pure: the executor runs the attempts, and a dry
 * run (`explainRoute`) shows them.
 *
 * ### Examples
 * ```ts
 * planRoute({ queryClass: classifyQuery(compiled), ... }).attempts[0]?.node.name // 'replica-0'
 * ```
 */
export function planRoute(input: PlanInput): RoutePlan {
  const plan = planAttempts(input) as { -readonly [K in keyof RoutePlan]: RoutePlan[K] };
  if (input.consistency !== 'session' || input.queryClass.requiresPrimary) return plan;
  plan.tracksSession = true;
  const transactions = input.session.pendingTransactions;
  if (transactions.length > 0) plan.requiredTransactions = transactions;
  return plan;
}

/** Every plan has one shape (one hidden class for the engine): the fields planRoute completes come unset. */
function routePlan(
  attempts: readonly PlannedAttempt[],
  requiredPosition: ReplicationPosition | undefined,
  detail?: string,
): RoutePlan {
  return { attempts, tracksSession: false, requiredPosition, requiredTransactions: undefined, detail };
}

function planAttempts(input: PlanInput): RoutePlan {
  const { queryClass, hint, primary } = input;
  const namedNode = hint?.node === undefined ? undefined : input.nodesByName.get(hint.node);
  if (hint?.node !== undefined && namedNode === undefined) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `the route hint names node "${hint.node}", which is not in this cluster (nodes: ${[...input.nodesByName.keys()].join(', ')})`,
    );
  }

  if (queryClass.requiresPrimary) {
    if (hint?.readPreference === 'replica' || (namedNode !== undefined && namedNode.role === 'replica')) {
      throw new EdgeDbError(
        'WRITE_ON_REPLICA',
        `a route hint asked for a replica, but this statement must run on the primary (${queryClass.reason}${
          queryClass.detail ? `: ${queryClass.detail}` : ''
        }). Remove the hint for writes, or use readPreference 'replicaPreferred' for mixed builders.`,
      );
    }
    return routePlan([attempt(primary, queryClass.reason as RouteReason, 'none', true)], undefined);
  }

  const session = input.session;
  const requiredPosition = input.consistency === 'session' ? session.minPosition : undefined;
  const transactions = input.consistency === 'session' ? session.pendingTransactions.length : 0;
  const pending = transactions > 0;
  const checkFor = (node: RoutedNode) => freshnessCheck(node, requiredPosition, pending, input.now);

  if (namedNode !== undefined) {
    return routePlan(
      [attempt(namedNode, 'preference', checkFor(namedNode) ?? 'none', true)],
      requiredPosition,
    );
  }
  if (input.consistency === 'strong') {
    return routePlan([attempt(primary, 'strong', 'none', learns(primary))], requiredPosition);
  }
  const preference = input.readPreference;
  if (preference === 'primary') {
    return routePlan([attempt(primary, 'preference', 'none', learns(primary))], requiredPosition);
  }

  // A write committed but its position is not known: the primary serves this read and, where the adapter
  // allows, learns the position in the same round trip so later reads can use replicas again.
  if (input.consistency === 'session' && session.positionPending) {
    const canLearn = canReadPosition(primary);
    const recent =
      session.lastWriteAt !== undefined && input.now - session.lastWriteAt < input.stickyAfterWriteMs;
    if (canLearn || recent) {
      return routePlan(
        [attempt(primary, 'after-write', 'none', canLearn)],
        requiredPosition,
        canLearn ? 'learning the position of the last write' : 'within stickyAfterWriteMs of a write',
      );
    }
  }

  // Reads whose position was not learnt pin the session to that node (or the primary) for monotonic reads.
  if (input.consistency === 'session' && session.unlearnedNode !== undefined) {
    const sticky = input.nodesByName.get(session.unlearnedNode);
    if (sticky !== undefined && sticky.role === 'replica' && preference !== 'primaryPreferred') {
      const stickyAttempt = attempt(sticky, 'sticky', checkFor(sticky) ?? 'none', learns(sticky));
      return routePlan(
        preference === 'replica'
          ? [stickyAttempt]
          : // The fallback learns the primary's position even at a round trip's cost: otherwise a later read
            // of the older sticky replica could go back in time.
            [stickyAttempt, attempt(primary, 'fallback', 'none', canReadPosition(primary))],
        requiredPosition,
        'monotonic reads: the last read position is unknown',
      );
    }
    if (sticky?.role === 'primary') {
      return routePlan(
        [attempt(primary, 'sticky', 'none', canReadPosition(primary))],
        requiredPosition,
        'monotonic reads: learning the position',
      );
    }
  }

  const replicaAttempts: PlannedAttempt[] = [];
  for (const replica of input.rankedReplicas) {
    if (replicaAttempts.length >= input.maxReplicaAttempts) break;
    const check = checkFor(replica);
    if (check === undefined) continue; // cannot prove freshness on this replica
    // A further replica is worth its check only if it beats going to the primary.
    if (
      replicaAttempts.length > 0 &&
      check !== 'none' &&
      preference !== 'replica' &&
      slowerThanPrimary(replica, check, input)
    )
      continue;
    const known = (requiredPosition !== undefined || transactions > 0) && check === 'none';
    replicaAttempts.push(
      attempt(
        replica,
        replicaAttempts.length > 0
          ? 'fallback'
          : known
            ? 'caught-up'
            : check === 'none'
              ? 'nearest'
              : 'checked',
        check,
        learns(replica),
      ),
    );
  }

  // With a required position, the primary's answer also tells its current position: a requirement beyond it
  // comes from a token of before a restore or failover, and the session is rewound (see readOnce).
  const primaryAttempt = attempt(
    primary,
    replicaAttempts.length > 0
      ? 'fallback'
      : input.rankedReplicas.length === 0 && sessionBookmarksOf(primary.driver) !== undefined
        ? 'database'
        : 'no-replica',
    'none',
    learns(primary) || (requiredPosition !== undefined && canReadPosition(primary)),
  );
  switch (preference) {
    case 'primaryPreferred':
      return routePlan(
        [attempt(primary, 'preference', 'none', learns(primary)), ...replicaAttempts.map(asFallback)],
        requiredPosition,
      );
    case 'replica':
      return routePlan(replicaAttempts, requiredPosition);
    case 'nearest':
      // The primary was ranked with the replicas; keep it as the last resort when it ranked beyond the cut.
      return routePlan(
        replicaAttempts.some((a) => a.node === primary)
          ? replicaAttempts
          : [...replicaAttempts, primaryAttempt],
        requiredPosition,
      );
    case 'replicaPreferred':
      replicaAttempts.push(primaryAttempt);
      return routePlan(replicaAttempts, requiredPosition);
  }
}

/**
 * True when trying a further replica is expected to cost more than going to the primary now. It is tried only
 * after an earlier choice was behind or failed, so it may well be behind too (replicas of one primary lag
 * alike): at even odds, trying it pays only when twice its check beats the primary's round trip. A probe is
 * two round trips, a piggy-backed check one; round trips are known (measured, or estimated from the caller's
 * distance), and 5 ms is noise.
 */
function slowerThanPrimary(replica: RoutedNode, check: FreshnessCheck, input: PlanInput): boolean {
  const replicaRtt = input.rtt?.expectedRttMs(replica);
  const primaryRtt = input.rtt?.expectedRttMs(input.primary);
  if (replicaRtt === undefined || primaryRtt === undefined) return false;
  return 2 * (check === 'probe' ? 2 : 1) * replicaRtt > primaryRtt + 5;
}

/** Whether the node can report its position at all (libSQL over `file:` cannot): probing it is wasted. */
function canReadPosition(node: RoutedNode): boolean {
  return node.adapter !== undefined && node.adapter.reportsPositions !== false;
}

/** Whether reading the node's position costs nothing extra (the adapter piggy-backs it on the read). */
function learns(node: RoutedNode): boolean {
  return node.adapter?.executeWithPosition !== undefined && canReadPosition(node);
}

/**
 * How a node proves it has what the session requires, or `undefined` when it cannot. Writes known by
 * transaction id only are proven on each read (no known position covers them) by adapters that check them.
 */
function freshnessCheck(
  node: RoutedNode,
  required: ReplicationPosition | undefined,
  transactions: boolean,
  now: number,
): FreshnessCheck | undefined {
  if (node.role === 'primary' || (required === undefined && !transactions)) return 'none';
  if (transactions) {
    if (node.adapter?.checksTransactions !== true || !canReadPosition(node)) return undefined;
  } else {
    const known = trustedPosition(node.state, now);
    if (known !== undefined && required !== undefined && known >= required) return 'none';
  }
  if (node.adapter === undefined || !canReadPosition(node)) return undefined;
  return node.adapter.executeWithPosition !== undefined ? 'piggyback' : 'probe';
}

function attempt(
  node: RoutedNode,
  reason: RouteReason,
  check: FreshnessCheck,
  learnPosition: boolean,
): PlannedAttempt {
  return { node, reason, check, learnPosition };
}

function asFallback(planned: PlannedAttempt): PlannedAttempt {
  return { ...planned, reason: 'fallback' };
}
