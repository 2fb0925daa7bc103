import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { OutlierDetectorOptions } from '../select/health/outlier-detector.js';
import { ClusterState } from './cluster-state.js';

/** How many clusters one isolate keeps state for before forgetting the least recently used. */
export const DEFAULT_MAX_CLUSTERS = 1024;

/**
 * The isolate's clusters, keyed by database identity, least recently used forgotten first. A forgotten
 * cluster only loses what was learnt (latency, health, positions): the next instance starts it afresh.
 */
export class ClusterRegistry {
  readonly #clusters = new Map<string, ClusterState>();
  #maxClusters: number;

  constructor(maxClusters = DEFAULT_MAX_CLUSTERS) {
    this.#maxClusters = maxClusters;
  }

  /**
   * The state of the cluster with this key, created on first use. Instances of one cluster must agree on
   * health options (they shape shared state): a disagreement is a `CONFIG_INVALID`.
   */
  clusterFor(
    key: string,
    tokenKey: string,
    health: Omit<OutlierDetectorOptions, 'now'> | undefined,
    now: () => number,
  ): ClusterState {
    const existing = this.#clusters.get(key);
    if (existing !== undefined) {
      if (existing.healthSignature !== (health === undefined ? '{}' : JSON.stringify(health))) {
        throw new EdgeDbError(
          'CONFIG_INVALID',
          `another edgeDb instance of this cluster in this isolate uses other \`health\` options (${existing.healthSignature}); ` +
            'instances of one cluster share health state, so give them the same options (or another `cluster` name)',
        );
      }
      // Recency: move to the end.
      this.#clusters.delete(key);
      this.#clusters.set(key, existing);
      return existing;
    }
    const state = new ClusterState(key, tokenKey, health, now);
    this.#clusters.set(key, state);
    while (this.#clusters.size > this.#maxClusters) {
      this.#clusters.delete(this.#clusters.keys().next().value as string);
    }
    return state;
  }

  /** How many clusters are kept. */
  get size(): number {
    return this.#clusters.size;
  }

  /** Changes the bound, forgetting the oldest clusters beyond it. */
  setMaxClusters(maxClusters: number): void {
    this.#maxClusters = maxClusters;
    while (this.#clusters.size > maxClusters) {
      this.#clusters.delete(this.#clusters.keys().next().value as string);
    }
  }

  /** Forgets one cluster (by key), or every cluster. */
  forget(key?: string): void {
    if (key === undefined) this.#clusters.clear();
    else this.#clusters.delete(key);
  }
}

/** The isolate's registry: module scope, plain data. */
export const clusterRegistry = new ClusterRegistry();
