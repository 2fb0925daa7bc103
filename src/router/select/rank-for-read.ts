import type { ConsistencySession } from '../../consistency/session.js';
import { trustedPosition } from '../cluster/node-state.js';
import type { ResolvedRouterSettings } from '../config/resolved-settings.js';
import type { RouteHint } from '../plan/route-hint.js';
import type { RoutedNode } from '../routed-node.js';
import type { OutlierDetector } from './health/outlier-detector.js';
import type { CallerLocation } from './location/detect-caller-location.js';
import { rankReplicas } from './rank-replicas.js';

/**
 * Orders an instance's replicas (and, for `nearest`, the primary among them) for one read: healthy and within
 * the staleness bound, caught up with the session first, then by measured (or, before measurements,
 * distance-estimated) round trip, spreading load among near-equal ones. Always ranks, one replica included:
 * an ejected or too-stale replica is left out (the primary serves), except with the strict `replica`
 * preference, where ejected replicas remain as the last resort.
 */
export function rankForRead(
  nodes: readonly RoutedNode[],
  outliers: OutlierDetector,
  session: ConsistencySession,
  settings: ResolvedRouterSettings,
  caller: CallerLocation | undefined,
  hint: RouteHint | undefined,
  now: number,
  primary?: RoutedNode,
): RoutedNode[] {
  if (nodes.length === 0) return [];
  if (nodes.length === 1) {
    const only = rankOne(nodes[0]!, outliers, settings, hint);
    const strictOne = (hint?.readPreference ?? settings.readPreference) === 'replica';
    return !strictOne && only[0] !== undefined && waitsForPull(only[0], session, primary, now) ? [] : only;
  }
  const strict = (hint?.readPreference ?? settings.readPreference) === 'replica';
  const choices = rankReplicas(
    nodes.map((node) => ({
      id: node.name,
      node,
      coordinates: node.coordinates,
      latency: node.state.latency,
      health: node.role === 'primary' ? ('healthy' as const) : outliers.status(node.key),
      estimatedLagMs: node.state.estimatedLagMs,
      knownPosition: trustedPosition(node.state, now),
    })),
    {
      caller: caller?.coordinates,
      maxStalenessMs: hint?.maxStalenessMs ?? settings.maxStalenessMs,
      minPosition: session.minPosition,
      windowMs: settings.latencyWindowMs,
      random: Math.random,
    },
  );
  const ranked: RoutedNode[] = [];
  for (const choice of choices) {
    const node = choice.candidate.node;
    if (!strict && (choice.reason === 'fallback' || waitsForPull(node, session, primary, now))) continue;
    ranked.push(node);
  }
  return ranked;
}

/**
 * True when a replica that pulls on an interval (`backend.catchUp`) cannot have the session's position yet
 * and waiting for its next pull costs more than the primary's round trip: a read there would wait up to an
 * interval (the replica holds a read carrying a position it lacks), so the primary serves it instead. A
 * session continued from a token does not know when its write was: a whole interval may remain.
 */
function waitsForPull(
  node: RoutedNode,
  session: ConsistencySession,
  primary: RoutedNode | undefined,
  now: number,
): boolean {
  const pullIntervalMs = node.backend.catchUp?.pullIntervalMs ?? 0;
  const required = session.minPosition;
  if (node.role !== 'replica' || pullIntervalMs <= 0 || required === undefined) return false;
  const known = trustedPosition(node.state, now);
  if (known !== undefined && known >= required) return false;
  const writtenAt = session.lastWriteAt;
  const remaining = writtenAt === undefined ? pullIntervalMs : pullIntervalMs - (now - writtenAt);
  if (remaining <= 0) return false;
  const replicaRtt = node.state.latency.estimateMs() ?? 0;
  const primaryRtt = primary?.state.latency.estimateMs() ?? 0;
  return remaining + replicaRtt > primaryRtt;
}

/** One node: nothing to order, only whether it may serve (healthy, within the staleness bound). */
function rankOne(
  node: RoutedNode,
  outliers: OutlierDetector,
  settings: ResolvedRouterSettings,
  hint: RouteHint | undefined,
): RoutedNode[] {
  const maxStalenessMs = hint?.maxStalenessMs ?? settings.maxStalenessMs;
  if (maxStalenessMs !== undefined && (node.state.estimatedLagMs ?? 0) > maxStalenessMs) return [];
  if (node.role === 'primary') return [node];
  const health = outliers.status(node.key);
  const strict = (hint?.readPreference ?? settings.readPreference) === 'replica';
  return health === 'ejected' || health === 'probing' ? (strict ? [node] : []) : [node];
}
