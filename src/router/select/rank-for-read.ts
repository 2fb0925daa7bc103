import type { ConsistencySession } from '../../consistency/session.js';
import type { ClusterHealth } from '../cluster/cluster-health.js';
import type { RouteHint } from '../plan/route-hint.js';
import type { RoutedNode } from '../routed-node.js';
import type { ResolvedRouterSettings } from '../router-context.js';
import type { CallerLocation } from './location/detect-caller-location.js';
import { rankReplicas } from './rank-replicas.js';

/**
 * Orders an instance's replicas (and, for `nearest`, the primary among them) for one read: healthy and within the staleness bound, caught up with the
 * session first, then by measured (or, before measurements, distance-estimated) round trip, spreading load
 * among near-equal ones.
 */
export function rankForRead(
  replicas: readonly RoutedNode[],
  health: ClusterHealth,
  session: ConsistencySession,
  settings: ResolvedRouterSettings,
  caller: CallerLocation | undefined,
  hint: RouteHint | undefined,
): RoutedNode[] {
  if (replicas.length <= 1) return [...replicas];
  const candidates = replicas.map((node) => ({
    id: node.name,
    node,
    coordinates: node.coordinates,
    latency: health.latency.get(node.name)!,
    health: node.role === 'primary' ? ('healthy' as const) : health.outliers.status(node.name),
    estimatedLagMs: node.state.estimatedLagMs,
    knownPosition: node.state.knownPosition,
  }));
  return rankReplicas(candidates, {
    caller: caller?.coordinates,
    maxStalenessMs: hint?.maxStalenessMs ?? settings.maxStalenessMs,
    minPosition: session.minPosition,
    windowMs: settings.latencyWindowMs,
    random: Math.random,
  }).map((choice) => choice.candidate.node);
}
