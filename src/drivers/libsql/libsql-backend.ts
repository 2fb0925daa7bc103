import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { Backend } from '../backend.js';
import { databaseIdentity } from '../database-identity.js';
import type { RegionSpec } from '../region-spec.js';
import type { ReplicaCatchUp } from '../replica-catch-up.js';
import { LibsqlDialect } from './libsql-dialect.js';
import type { LibsqlDialectConfig } from './libsql-dialect-config.js';
import { LibsqlReplicationAdapter } from './libsql-replication-adapter.js';

/**
 * Options of {@link libsql}: the dialect's options plus how the router names and places the node.
 *
 * ### Examples
 * ```ts
 * const options: LibsqlBackendOptions = { url: 'libsql://db-org.turso.io', region: 'fra' }
 * ```
 */
export interface LibsqlBackendOptions extends LibsqlDialectConfig {
  /** Name used in route events and error messages. */
  readonly name?: string;
  /** Where the node runs (`'aws-eu-central-1'`, `'fra'`, or coordinates). */
  readonly region?: RegionSpec;
  /**
   * How this replica catches up: `forwarding` (sqld: frames stream, a read needing an index fetches it at
   * once) or `pulling` (a proxy with an embedded replica that syncs every `pullIntervalMs`). The router
   * weighs it against the primary's round trip when a replica is behind the session. Leave it out for
   * primaries and replicas of unknown kind.
   */
  readonly replicaMode?: 'forwarding' | 'pulling';
  /** Pause between two pulls of a `pulling` replica, in milliseconds. Required with `replicaMode: 'pulling'`. */
  readonly pullIntervalMs?: number;
}

/**
 * A libSQL node as an edge-db {@link Backend}: a {@link LibsqlDialect} plus a replication adapter that reads
 * and requires sqld's `replication_index`, for read-your-writes across replicas, and an `id` (the URL plus a
 * hash of the auth token) that keeps its isolate state and cache apart from every other database.
 *
 * ### Examples
 * ```ts
 * import { Kysely } from 'kysely'
 * import { libsql } from 'edge-db/libsql'
 *
 * const primary = libsql({ url: env.PRIMARY_URL, authToken: env.TOKEN, name: 'primary', region: 'fra' })
 * const db = new Kysely<Database>({ dialect: primary.dialect }) // alone, without the router
 * ```
 */
export function libsql(
  options: LibsqlBackendOptions,
): Backend & { readonly dialect: LibsqlDialect; readonly replication: LibsqlReplicationAdapter } {
  const { name, region, replicaMode, pullIntervalMs, ...config } = options ?? ({} as LibsqlBackendOptions);
  const dialect = new LibsqlDialect(config, name);
  const catchUp = catchUpOf(replicaMode, pullIntervalMs);
  return Object.freeze({
    dialect,
    // Only HTTP transports carry sqld's replication index; `file:` and WebSocket nodes never report one.
    replication: new LibsqlReplicationAdapter({ reportsPositions: /^(https?|libsql):/i.test(config.url) }),
    // Validated by the dialect: a string URL. Its identity keys the isolate's state for this node.
    id: databaseIdentity(config.url, config.authToken),
    ...(name === undefined ? {} : { name }),
    ...(region === undefined ? {} : { region }),
    ...(catchUp === undefined ? {} : { catchUp }),
  });
}

function catchUpOf(
  mode: LibsqlBackendOptions['replicaMode'],
  pullIntervalMs: number | undefined,
): ReplicaCatchUp | undefined {
  const invalid = (message: string): never => {
    throw new EdgeDbError('CONFIG_INVALID', `libsql: ${message}`);
  };
  if (mode === undefined) {
    if (pullIntervalMs !== undefined) invalid("`pullIntervalMs` needs `replicaMode: 'pulling'`.");
    return undefined;
  }
  if (mode === 'forwarding') {
    if (pullIntervalMs !== undefined && pullIntervalMs !== 0)
      invalid(
        "`pullIntervalMs` applies to `replicaMode: 'pulling'` only; forwarding replicas stream frames.",
      );
    return Object.freeze({ mode, pullIntervalMs: 0 });
  }
  if (mode !== 'pulling') {
    invalid(`\`replicaMode\` must be 'forwarding' or 'pulling', got ${JSON.stringify(mode)}.`);
  }
  if (!(typeof pullIntervalMs === 'number' && Number.isFinite(pullIntervalMs) && pullIntervalMs > 0)) {
    invalid(
      `\`replicaMode: 'pulling'\` needs \`pullIntervalMs\`, a positive number of milliseconds, got ${String(pullIntervalMs)}.`,
    );
  }
  return Object.freeze({ mode: 'pulling', pullIntervalMs: pullIntervalMs as number });
}
