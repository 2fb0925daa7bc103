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
  /** The most recently used cluster: an isolate usually serves one, and it needs no reordering. */
  #latest: ClusterState | undefined;

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
    const latest = this.#latest;
    const existing = latest !== undefined && latest.key === key ? latest : this.#clusters.get(key);
    if (existing !== undefined) {
      if (!existing.hasHealthOptions(health)) {
        throw new EdgeDbError(
          'CONFIG_INVALID',
          `another edgeDb instance of this cluster in this isolate uses other \`health\` options (${existing.healthSignature}); ` +
            'instances of one cluster share health state, so give them the same options (or another `cluster` name)',
        );
      }
      if (existing !== latest) {
        // Recency: move to the end.
        this.#clusters.delete(key);
        this.#clusters.set(key, existing);
        this.#latest = existing;
      }
      return existing;
    }
    const state = new ClusterState(key, tokenKey, health, now);
    this.#clusters.set(key, state);
    this.#latest = state;
    this.#evictBeyond(this.#maxClusters);
    return state;
  }

  /** How many clusters are kept. */
  get size(): number {
    return this.#clusters.size;
  }

  /** Changes the bound, forgetting the oldest clusters beyond it. */
  setMaxClusters(maxClusters: number): void {
    this.#maxClusters = maxClusters;
    this.#evictBeyond(maxClusters);
  }

  /** Forgets one cluster (by key), or every cluster. */
  forget(key?: string): void {
    if (key === undefined) this.#clusters.clear();
    else this.#clusters.delete(key);
    if (this.#latest !== undefined && !this.#clusters.has(this.#latest.key)) this.#latest = undefined;
  }

  #evictBeyond(maxClusters: number): void {
    while (this.#clusters.size > maxClusters) {
      const oldest = this.#clusters.keys().next().value as string;
      this.#clusters.delete(oldest);
      if (this.#latest?.key === oldest) this.#latest = undefined;
    }
  }
}

/** The isolate's registry: module scope, plain data. */
export const clusterRegistry = new ClusterRegistry();
