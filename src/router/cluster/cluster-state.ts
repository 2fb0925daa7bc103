import type { Dialect, QueryCompiler } from 'kysely';
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
  /** Replicas' health (the primary is never ejected: writes have nowhere else to go). */
  readonly outliers: OutlierDetector;
  readonly cacheCounters: ClusterCacheCounters = { hits: 0, misses: 0, stale: 0, bypasses: 0 };
  readonly #health: Omit<OutlierDetectorOptions, 'now'> | undefined;
  readonly #nodes = new Map<string, NodeState>();
  readonly #writingStatements = new Set<string>();
  readonly #now: () => number;
  readonly #tokenKey: string;
  #tokenCluster: bigint | undefined;
  #compiler: { readonly make: Dialect['createQueryCompiler']; readonly compiler: QueryCompiler } | undefined;

  constructor(
    key: string,
    tokenKey: string,
    health: Omit<OutlierDetectorOptions, 'now'> | undefined,
    now: () => number,
  ) {
    this.key = key;
    this.#tokenKey = tokenKey;
    this.#now = now;
    this.#health = health;
    this.outliers = new OutlierDetector([], { ...health, now });
  }

  /**
   * The 64-bit identity consistency tokens carry: the database, whatever the credentials. Hashed when a token
   * is first read or issued (a cluster without identity has a state per instance, and most never see a token).
   */
  get tokenCluster(): bigint {
    this.#tokenCluster ??= clusterHash(this.#tokenKey);
    return this.#tokenCluster;
  }

  /** The health options the state was made with, as JSON: to name them when instances disagree. */
  get healthSignature(): string {
    return JSON.stringify(this.#health ?? {});
  }

  /**
   * True when `health` (resolved options, as the settings give them) are the options this state was made
   * with: instances of one cluster share health state, so they must agree. Compared option by option, as
   * every instance asks.
   */
  hasHealthOptions(health: Omit<OutlierDetectorOptions, 'now'> | undefined): boolean {
    const mine = this.#health;
    if (mine === health) return true;
    if (mine === undefined || health === undefined) return false;
    const keys = Object.keys(mine) as (keyof typeof mine)[];
    return keys.length === Object.keys(health).length && keys.every((key) => mine[key] === health[key]);
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

  /**
   * The query compiler of the cluster's primary dialect, made once per isolate rather than once per instance
   * (building one costs as much as the rest of an instance). Kysely compiles synchronously and a compiler
   * starts afresh on every statement, so instances can share it as one instance's queries do. Made again
   * when the dialect's `createQueryCompiler` is another function (another dialect class or object).
   */
  queryCompiler(dialect: Dialect): QueryCompiler {
    const make = dialect.createQueryCompiler;
    const cached = this.#compiler;
    if (cached !== undefined && cached.make === make) return cached.compiler;
    const compiler = dialect.createQueryCompiler();
    this.#compiler = { make, compiler };
    return compiler;
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
