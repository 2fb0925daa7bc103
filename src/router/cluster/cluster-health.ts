import { LatencyTracker } from '../select/health/latency-tracker.js';
import { OutlierDetector, type OutlierDetectorOptions } from '../select/health/outlier-detector.js';
import type { ClusterState } from './cluster-state.js';

/** Isolate-level latency and health of one cluster's nodes: plain data, shared by its instances. */
export interface ClusterHealth {
  readonly latency: ReadonlyMap<string, LatencyTracker>;
  /** Replicas only: the primary is never ejected (writes have nowhere else to go). */
  readonly outliers: OutlierDetector;
}

/**
 * The cluster's health state, created on first use. Trackers use the first instance's clock; instances of one
 * cluster in one isolate share a clock in practice (`Date.now`), tests inject one per cluster.
 */
export function clusterHealthFor(
  cluster: ClusterState,
  nodes: { readonly primary: string; readonly replicas: readonly string[] },
  options: {
    readonly now: () => number;
    readonly outliers?: Omit<OutlierDetectorOptions, 'now'> | undefined;
  },
): ClusterHealth {
  const existing = cluster.extensions.get('health') as ClusterHealth | undefined;
  if (existing !== undefined) return existing;
  const latency = new Map<string, LatencyTracker>();
  for (const name of [nodes.primary, ...nodes.replicas])
    latency.set(name, new LatencyTracker({ now: options.now }));
  const health: ClusterHealth = {
    latency,
    outliers: new OutlierDetector(nodes.replicas, { ...options.outliers, now: options.now }),
  };
  cluster.extensions.set('health', health);
  return health;
}
