import type { ConsistencyMode } from '../consistency/consistency-mode.js';
import type { ReplicationFamily } from '../consistency/replication-adapter.js';
import type { ConsistencySession } from '../consistency/session.js';
import type { ClusterState } from './cluster-state.js';
import type { ReadPreference } from './read-preference.js';
import type { RouteAttempt, RouteEvent } from './route-event.js';
import type { RouteHint } from './route-hint.js';
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
  /** Feeds latency and health tracking with the outcome of one attempt. */
  recordAttempt(node: RoutedNode, attempt: RouteAttempt): void;
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
