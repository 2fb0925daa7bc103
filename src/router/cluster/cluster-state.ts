import type { ReplicationPosition } from '../../consistency/replication-position.js';

/**
 * What an isolate has learnt about one node. Plain data at module scope: it outlives requests (Workers allow
 * that for data, not for sockets) and is shared by every `edgeDb` instance of the same cluster.
 */
export interface NodeState {
  /** The highest position this node is known to have applied (only ever grows, until a failover resets it). */
  knownPosition: ReplicationPosition | undefined;
  /** When `knownPosition` was last confirmed (ms, instance clock). */
  knownAt: number | undefined;
  /** Requests to this node currently running from this isolate (for load spreading). */
  inFlight: number;
  /**
   * A rough estimate of how far behind the primary this replica runs, in milliseconds: raised when it is found
   * behind a session's write (by the time since that write), halved when it is found caught up.
   */
  estimatedLagMs: number | undefined;
}

/** Isolate-level state of one cluster. */
export interface ClusterState {
  readonly key: string;
  readonly nodes: Map<string, NodeState>;
  /** Arbitrary per-cluster extensions (latency trackers, health, cache) keyed by feature. */
  readonly extensions: Map<string, unknown>;
}

const clusters = new Map<string, ClusterState>();

/** The isolate's state for the cluster with this key, created on first use. */
export function clusterStateFor(key: string): ClusterState {
  let state = clusters.get(key);
  if (state === undefined) {
    state = { key, nodes: new Map(), extensions: new Map() };
    clusters.set(key, state);
  }
  return state;
}

/** The isolate's state for one node of a cluster, created on first use. */
export function nodeStateFor(cluster: ClusterState, name: string): NodeState {
  let state = cluster.nodes.get(name);
  if (state === undefined) {
    state = { knownPosition: undefined, knownAt: undefined, inFlight: 0, estimatedLagMs: undefined };
    cluster.nodes.set(name, state);
  }
  return state;
}

/** Raises a node's known position; positions never move backwards. */
export function observeNodePosition(
  state: NodeState,
  position: ReplicationPosition | undefined,
  now: number,
): void {
  if (position === undefined) return;
  if (state.knownPosition === undefined || position >= state.knownPosition) {
    state.knownPosition = position;
    state.knownAt = now;
  }
}

/** Forgets all isolate state (tests, or after a failover/restore was detected). */
export function resetClusterState(key?: string): void {
  if (key === undefined) clusters.clear();
  else clusters.delete(key);
}
