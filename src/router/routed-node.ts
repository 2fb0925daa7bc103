import type { Driver } from 'kysely';
import type { NodeRole, ReplicationAdapter } from '../consistency/replication-adapter.js';
import type { Backend } from '../drivers/backend.js';
import type { Coordinates } from '../drivers/region-spec.js';
import type { NodeState } from './cluster/node-state.js';

/** A backend as the router uses it inside one `edgeDb` instance: its driver plus isolate-level state. */
export interface RoutedNode {
  readonly name: string;
  /** The node's identity within its cluster's isolate state (`backend.id`, else its name). */
  readonly key: string;
  readonly role: NodeRole;
  readonly backend: Backend;
  readonly driver: Driver;
  readonly adapter: ReplicationAdapter | undefined;
  readonly state: NodeState;
  /** Where the node runs, resolved from `backend.region` once per instance. */
  readonly coordinates: Coordinates | undefined;
}
