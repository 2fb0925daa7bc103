import { clusterHash } from '../../consistency/consistency-token.js';
import type { OutlierDetectorOptions } from '../select/health/outlier-detector.js';
import { OutlierDetector } from '../select/health/outlier-detector.js';
import { type NodeState, newNodeState } from './node-state.js';

/** Counters of one cluster's reads through the isolate cache. */
export interface ClusterCacheCounters {
  hits: number;
  misses: number;
  stale: number;
  bypasses: number;
}

/** SQL texts a replica refused as writes, remembered per cluster (bounded, oldest forgotten first). */
const WRITING_STATEMENTS_LIMIT = 256;

/**
 * Isolate-level state of one cluster (a primary and its replicas as one database): its nodes' positions,
 * latency and health, its cache counters, and what replicas taught it. Plain data, typed; held by the
 * {@link ClusterRegistry}, which bounds how many clusters an isolate keeps.
 */
export class ClusterState {
  /** The registry key: the database's identity as seen through the nodes' credentials. */
  readonly key: string;
  /** The 64-bit identity consistency tokens carry: the database, whatever the credentials. */
  readonly tokenCluster: bigint;
  /** Replicas' health (the primary is never ejected: writes have nowhere else to go). */
  readonly outliers: OutlierDetector;
  readonly cacheCounters: ClusterCacheCounters = { hits: 0, misses: 0, stale: 0, bypasses: 0 };
  /** The health options the state was made with, to detect instances that disagree. */
  readonly healthSignature: string;
  readonly #nodes = new Map<string, NodeState>();
  readonly #writingStatements = new Set<string>();
  readonly #now: () => number;

  constructor(
    key: string,
    tokenKey: string,
    health: Omit<OutlierDetectorOptions, 'now'> | undefined,
    now: () => number,
  ) {
    this.key = key;
    this.tokenCluster = clusterHash(tokenKey);
    this.#now = now;
    this.healthSignature = JSON.stringify(health ?? {});
    this.outliers = new OutlierDetector([], { ...health, now });
  }

  /** The state of the node with this identity, created on first use. */
  node(id: string): NodeState {
    let state = this.#nodes.get(id);
    if (state === undefined) {
      state = newNodeState(this.#now);
      this.#nodes.set(id, state);
    }
    return state;
  }

  /** Every node state known so far. */
  nodes(): IterableIterator<NodeState> {
    return this.#nodes.values();
  }

  /** True when a replica refused this SQL text as a write: it goes to the primary first from now on. */
  isWritingStatement(sql: string): boolean {
    return this.#writingStatements.size > 0 && this.#writingStatements.has(sql);
  }

  /** Remembers that a replica refused this SQL text because it writes (a function that writes, say). */
  noteWritingStatement(sql: string): void {
    if (this.#writingStatements.has(sql)) return;
    if (this.#writingStatements.size >= WRITING_STATEMENTS_LIMIT) {
      this.#writingStatements.delete(this.#writingStatements.values().next().value as string);
    }
    this.#writingStatements.add(sql);
  }
}
