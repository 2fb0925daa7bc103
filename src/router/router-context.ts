import type { QueryCache } from '../cache/query-cache.js';
import type { ConsistencyMode } from '../consistency/consistency-mode.js';
import type { ReplicationFamily } from '../consistency/replication-adapter.js';
import type { ConsistencySession } from '../consistency/session.js';
import type { ClusterState } from './cluster/cluster-state.js';
import type { RouteAttempt, RouteEvent } from './observe/route-event.js';
import type { ReadPreference } from './plan/read-preference.js';
import type { RouteHint } from './plan/route-hint.js';
import type { RoutedNode } from './routed-node.js';

/** Settings of one instance after defaults were applied and validated. */
export interface ResolvedRouterSettings {
  readonly readPreference: ReadPreference;
  readonly consistency: ConsistencyMode;
  readonly readOnlyTransactionsOnReplicas: boolean;
  readonly stickyAfterWriteMs: number;
  readonly maxReplicaAttempts: number;
  readonly timeoutMs: number;
  readonly attemptTimeoutMs: number;
  readonly maxStalenessMs: number | undefined;
  readonly hedge: false | { readonly afterMs: number | undefined };
  readonly latencyWindowMs: number;
  readonly waitBudgetMs: number;
  readonly cacheAllReads: boolean;
}

/** What every connection of one `edgeDb` instance shares: its nodes, session and isolate-level cluster state. */
export interface RouterContext {
  readonly primary: RoutedNode;
  readonly replicas: readonly RoutedNode[];
  readonly nodesByName: ReadonlyMap<string, RoutedNode>;
  readonly session: ConsistencySession;
  readonly cluster: ClusterState;
  readonly settings: ResolvedRouterSettings;
  readonly tokens: TokenSettings;
  now(): number;
  /** Replicas in the order a read should try them (nearest and healthy first). */
  rankReplicas(hint: RouteHint | undefined): readonly RoutedNode[];
  /** Marks the start of an attempt on `node` (load tracking); call the returned function with its outcome. */
  beginAttempt(node: RoutedNode): (attempt: RouteAttempt) => void;
  /** The p95 round trip of a node, when enough samples exist (for hedging). */
  tailLatencyMs(node: RoutedNode): number | undefined;
  /** The smoothed measured round trip of a node, if measured. */
  expectedRttMs(node: RoutedNode): number | undefined;
  /** The cluster's isolate cache, when caching is configured or hinted. */
  cache(): QueryCache;
  /** True once the cluster's cache exists (configured or hinted): writes then invalidate it. */
  cacheInUse(): boolean;
  readonly clusterKey: string;
  readonly waitUntil: ((promise: Promise<unknown>) => void) | undefined;
  emit(event: RouteEvent): void;
}

/** How an instance reads and issues consistency tokens. */
export interface TokenSettings {
  /** The token the session starts from, if any. */
  readonly initial: string | null | undefined;
  readonly onInvalid: 'ignore' | 'throw';
  readonly cluster: bigint;
  readonly family: ReplicationFamily;
  /** The signing key, when a secret is configured. */
  key(): Promise<CryptoKey | undefined>;
}
