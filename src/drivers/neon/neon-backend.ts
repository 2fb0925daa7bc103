import type { Backend } from '../backend.js';
import { databaseIdentity } from '../database-identity.js';
import type { RegionSpec } from '../region-spec.js';
import { NeonDialect } from './neon-dialect.js';
import type { NeonDialectConfig } from './neon-dialect-config.js';
import { NeonReplicationAdapter } from './neon-replication.js';

/**
 * Options of {@link neon}: the dialect's options plus how the router names and places the node.
 *
 * ### Examples
 * ```ts
 * const options: NeonOptions = { url: env.REPLICA_URL, name: 'replica', region: 'aws-us-east-2' }
 * ```
 */
export interface NeonOptions extends NeonDialectConfig {
  /** Name used in route events and error messages. */
  readonly name?: string;
  /**
   * Where the node runs (`'aws-us-east-2'` with `regions` from `edge-db/regions`, or coordinates). Neon's read
   * replicas run in the primary's region, so a Neon cluster needs none.
   */
  readonly region?: RegionSpec;
}

/** A Neon node as an edge-db {@link Backend}. */
export interface NeonBackend extends Backend {
  readonly dialect: NeonDialect;
  readonly replication: NeonReplicationAdapter;
}

/**
 * A Neon node (primary compute or read replica) as an edge-db {@link Backend}: a {@link NeonDialect} plus a
 * replication adapter that reads and requires WAL positions for read-your-writes, and an `id` (the URL without
 * its password, plus a hash of the credentials) that keeps its isolate state and cache apart from every other
 * database and role. No I/O happens here.
 *
 * ### Examples
 * ```ts
 * import { Kysely } from 'kysely'
 * import { neon } from 'edge-db/neon'
 *
 * const primary = neon({ url: env.PRIMARY_URL, name: 'primary' })
 * const replica = neon({ url: env.REPLICA_URL }) // Neon replicas: the primary's region
 * const db = new Kysely<DB>({ dialect: primary.dialect }) // alone, without the router
 * ```
 */
export function neon(options: NeonOptions): NeonBackend {
  const { name, region, ...config } = options ?? ({} as NeonOptions);
  const dialect = new NeonDialect(config, name);
  return Object.freeze({
    dialect,
    replication: new NeonReplicationAdapter(),
    // Validated by the dialect: a string URL. Its identity keys the isolate's state for this node.
    id: databaseIdentity(config.url),
    ...(name === undefined ? {} : { name }),
    ...(region === undefined ? {} : { region }),
  });
}
