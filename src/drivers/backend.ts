import type { Dialect } from 'kysely';
import type { ReplicationAdapter } from '../consistency/replication-adapter.js';
import type { RegionSpec } from './region-spec.js';
import type { ReplicaCatchUp } from './replica-catch-up.js';

/**
 * One database node as edge-db sees it: any Kysely dialect plus what the router needs to know about it.
 *
 * `edge-db/neon` and `edge-db/libsql` build backends for you; a plain Kysely dialect works too.
 *
 * ### Examples
 * ```ts
 * import { PostgresDialect } from 'kysely'
 * import { Pool } from 'pg'
 *
 * const primary: Backend = {
 *   name: 'primary',
 *   region: 'aws-us-east-1',
 *   dialect: new PostgresDialect({ pool: new Pool({ connectionString: process.env.PRIMARY_URL }) }),
 * }
 * ```
 */
export interface Backend {
  /** The Kysely dialect that talks to this node. The primary's compiler, adapter and introspector are used. */
  readonly dialect: Dialect;
  /** A name for route events and errors. Defaults to `primary`, `replica-0`, `replica-1`, ... */
  readonly name?: string;
  /**
   * The identity of the database this node serves, as seen through its credentials (edge-db's drivers set
   * it: the URL without secrets plus a hash of the credentials). Isolate-level state (latency, health,
   * replica positions, cache) is keyed by the identities of a cluster's nodes, so two databases, or two roles
   * of one database, never share it. A plain Kysely dialect has none: give the cluster a name with
   * `EdgeDbConfig.cluster` (or each backend an `id`) to share state across instances; without either, each
   * instance keeps its own state, and the cache cannot be turned on.
   */
  readonly id?: string;
  /**
   * Where the node runs, used to pick the nearest replica before latency has been measured: coordinates, or a
   * code resolved through `EdgeDbConfig.regions` (`edge-db/regions`).
   */
  readonly region?: RegionSpec;
  /**
   * How to read and require replication positions on this node. Drivers of edge-db set it; for other
   * dialects edge-db infers a PostgreSQL adapter when the dialect's adapter is Postgres.
   */
  readonly replication?: ReplicationAdapter;
  /** How a replica catches up (pull interval), when the driver knows; `libsql()` sets it from `replicaMode`. */
  readonly catchUp?: ReplicaCatchUp;
}
