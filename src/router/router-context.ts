import type { QueryCacheStore } from '../cache/query-cache-store.js';
import type { ReplicationFamily } from '../consistency/replication-adapter.js';
import type { ConsistencySession } from '../consistency/session.js';
import type { QueryClass } from '../sql/query-class.js';
import type { ClusterState } from './cluster/cluster-state.js';
import { isolateCacheIfCreated, isolateCacheStore } from './cluster/isolate-cache.js';
import type { ResolvedRouterSettings } from './config/resolved-settings.js';
import { isConfigurationFailure, isNodeFailure } from './execute/node-failure.js';
import { type FinishedStatement, routeEventOf } from './observe/emit-route.js';
import type { RouteAttempt, RouteEvent } from './observe/route-event.js';
import type { RouteHint } from './plan/route-hint.js';
import { planRoute, type RoutePlan } from './plan/route-plan.js';
import type { RoutedNode } from './routed-node.js';
import type { CallerLocation } from './select/location/detect-caller-location.js';
import { estimateRttMs } from './select/location/estimate-rtt-ms.js';
import { greatCircleKm } from './select/location/great-circle-km.js';
import { rankForRead } from './select/rank-for-read.js';

/** How an instance reads and issues consistency tokens. */
export interface TokenSettings {
  /** The token the session starts from, if any. */
  readonly initial: string | null | undefined;
  readonly onInvalid: 'ignore' | 'throw';
  /** Hash of the database the tokens belong to (without credentials: every role of it shares tokens). */
  readonly cluster: bigint;
  readonly family: ReplicationFamily;
  /** Tokens issued longer ago than this are ignored. */
  readonly maxAgeSeconds: number;
  /** The signing key, when a secret is configured. */
  key(): Promise<CryptoKey | undefined>;
}

/** What a {@link RouterContext} is made of; see `edgeDbDialect`. */
export interface RouterContextParts {
  /** The primary, then the replicas. */
  readonly nodes: readonly RoutedNode[];
  readonly session: ConsistencySession;
  readonly cluster: ClusterState;
  /** False when the cluster has no identity (plain dialects without `id` or `cluster`): nothing is cached. */
  readonly identified: boolean;
  readonly settings: ResolvedRouterSettings;
  readonly tokens: TokenSettings;
  readonly now: () => number;
  readonly caller: CallerLocation | undefined;
  readonly waitUntil: ((promise: Promise<unknown>) => void) | undefined;
  readonly onRoute: ((event: RouteEvent) => void) | undefined;
}

/**
 * What every connection of one `edgeDb` instance shares: its nodes, its session, its cluster's isolate
 * state and its settings. One per Kysely instance (Kysely creates the driver once).
 */
export class RouterContext {
  readonly primary: RoutedNode;
  readonly replicas: readonly RoutedNode[];
  /** The primary, then the replicas. */
  readonly nodes: readonly RoutedNode[];
  readonly nodesByName: ReadonlyMap<string, RoutedNode>;
  readonly session: ConsistencySession;
  readonly cluster: ClusterState;
  readonly identified: boolean;
  readonly settings: ResolvedRouterSettings;
  readonly tokens: TokenSettings;
  readonly now: () => number;
  readonly waitUntil: ((promise: Promise<unknown>) => void) | undefined;
  /** True when an `onRoute` observer is set: route events are only built then. */
  readonly observed: boolean;
  readonly #caller: CallerLocation | undefined;
  readonly #onRoute: ((event: RouteEvent) => void) | undefined;

  constructor(parts: RouterContextParts) {
    const nodes = parts.nodes;
    this.primary = nodes[0]!;
    this.replicas = nodes.slice(1);
    this.nodes = nodes;
    const nodesByName = new Map<string, RoutedNode>();
    for (const node of nodes) nodesByName.set(node.name, node);
    this.nodesByName = nodesByName;
    this.session = parts.session;
    this.cluster = parts.cluster;
    this.identified = parts.identified;
    this.settings = parts.settings;
    this.tokens = parts.tokens;
    this.now = parts.now;
    this.waitUntil = parts.waitUntil;
    this.#caller = parts.caller;
    this.#onRoute = parts.onRoute;
    this.observed = parts.onRoute !== undefined;
  }

  /** The cluster's scope of the isolate cache key and invalidations. */
  get cacheScope(): string {
    return this.cluster.key;
  }

  /** The one place a route plan's input is assembled (execution and dry runs alike). */
  plan(queryClass: QueryClass, hint: RouteHint | undefined, now: number): RoutePlan {
    const readPreference = hint?.readPreference ?? this.settings.readPreference;
    return planRoute({
      queryClass,
      hint,
      primary: this.primary,
      rankedReplicas: queryClass.requiresPrimary ? [] : this.rankReplicas(hint),
      readPreference,
      consistency: hint?.consistency ?? this.settings.consistency,
      session: this.session,
      now,
      stickyAfterWriteMs: this.settings.stickyAfterWriteMs,
      maxReplicaAttempts: this.settings.maxReplicaAttempts,
      nodesByName: this.nodesByName,
      rtt: this,
    });
  }

  /** Replicas in the order a read should try them (nearest and healthy first; the primary too for `nearest`). */
  rankReplicas(hint: RouteHint | undefined): readonly RoutedNode[] {
    const nearest = (hint?.readPreference ?? this.settings.readPreference) === 'nearest';
    return rankForRead(
      nearest ? this.nodes : this.replicas,
      this.cluster.outliers,
      this.session,
      this.settings,
      this.#caller,
      hint,
      this.now(),
      this.primary,
    );
  }

  /** Marks the start of an attempt on `node` (load tracking); call {@link endAttempt} with its outcome. */
  beginAttempt(node: RoutedNode): void {
    node.state.latency.begin();
    node.state.inFlight++;
  }

  /** Ends an attempt begun with {@link beginAttempt}: latency and health learn from it. */
  endAttempt(node: RoutedNode, outcome: RouteAttempt['outcome'], durationMs: number, error?: unknown): void {
    node.state.latency.end();
    node.state.inFlight--;
    if (outcome === 'ok') node.state.latency.record(durationMs);
    if (node.role !== 'replica') return;
    if (outcome === 'timeout' || (outcome === 'error' && countsAgainstNode(error))) {
      this.cluster.outliers.recordFailure(node.key);
    } else if (outcome !== 'aborted') {
      // It answered: rows, "behind", or an error about the statement (a syntax error, a write it refused).
      this.cluster.outliers.recordSuccess(node.key);
    }
  }

  /** The p95 round trip of a node, when enough samples exist (for hedging). */
  tailLatencyMs(node: RoutedNode): number | undefined {
    return node.state.latency.percentileMs(0.95);
  }

  /**
   * The node's expected round trip: measured, or else estimated from the caller's distance to it (when both are
   * located), or `undefined`. Ranks fallbacks and decides whether proving a replica fresh beats the primary.
   */
  expectedRttMs(node: RoutedNode): number | undefined {
    const caller = this.#caller?.coordinates;
    const coordinates = node.coordinates;
    return node.state.latency.estimateMs(
      caller !== undefined && coordinates !== undefined
        ? estimateRttMs(greatCircleKm(caller, coordinates))
        : undefined,
    );
  }

  /**
   * The isolate cache, created from this instance's `cache` option if no instance has yet. `undefined` when
   * this cluster cannot be told apart from others (no identity), or when no store exists and this instance has
   * no `cache` option (nothing of any cluster is cached then).
   */
  cache(): QueryCacheStore | undefined {
    return this.identified ? isolateCacheStore(this.settings.cache?.createStore) : undefined;
  }

  /**
   * True when cached reads of this cluster may exist: writes then invalidate them. Another instance of the
   * same database may have cached reads even if this one has no `cache` option, so it is the store that counts.
   */
  cacheInUse(): boolean {
    return this.identified && isolateCacheIfCreated() !== undefined;
  }

  /** Gives a finished statement's route event to `onRoute` (built only when someone listens). */
  finish(statement: FinishedStatement): void {
    if (this.#onRoute !== undefined) this.emit(routeEventOf(statement, this.now()));
  }

  /** Gives an event to `onRoute`. A failing observer never fails the query it observes. */
  emit(event: RouteEvent): void {
    if (this.#onRoute === undefined) return;
    try {
      this.#onRoute(event);
    } catch {
      // ignored on purpose
    }
  }
}

/**
 * Whether an error of an attempt says the node is unhealthy. Errors about the statement (SQL errors, a write a
 * replica refused) and configuration mistakes (wrong credentials, no such database) do not: a query with a
 * typo must not eject a replica. An attempt that ended without its error at hand counts as a failure.
 */
function countsAgainstNode(error: unknown): boolean {
  if (error === undefined) return true;
  return isNodeFailure(error) && !isConfigurationFailure(error);
}
