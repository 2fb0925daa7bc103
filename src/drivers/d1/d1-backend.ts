import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { Backend } from '../backend.js';
import type { RegionSpec } from '../region-spec.js';
import type { D1DatabaseLike } from './d1-binding.js';
import { D1Dialect, type D1DialectConfig } from './d1-dialect.js';
import { D1ReplicationAdapter } from './d1-replication-adapter.js';

/**
 * Options of {@link d1}.
 *
 * ### Examples
 * ```ts
 * const options: D1BackendOptions = { binding: env.DB, name: 'shop' }
 * ```
 */
export interface D1BackendOptions extends D1DialectConfig {
  /**
   * The database's name: keys isolate state, cache entries and tokens. Required unless the binding exposes
   * its database id (Workers bindings do not today): two databases must never share a name.
   */
  readonly name?: string;
  /** Where the primary runs, for route events; D1 picks replicas itself. */
  readonly region?: RegionSpec;
}

/**
 * A Cloudflare D1 database as an edge-db {@link Backend}: the primary of `edgeDb({ primary: d1(...) })`, with
 * no `replicas` (D1 routes to its read replicas itself). Each instance runs in one D1 session started from
 * the request's token (`first-unconstrained` without one, `first-primary` for `consistency: 'strong'`), and
 * its tokens carry the session's bookmark, so read-your-writes holds from request to request.
 *
 * ### Examples
 * ```ts
 * import { edgeDb } from 'edge-db'
 * import { d1 } from 'edge-db/d1'
 *
 * const db = edgeDb<Database>({ primary: d1({ binding: env.DB, name: 'shop' }) })
 * ```
 */
export function d1(
  options: D1BackendOptions,
): Backend & { readonly dialect: D1Dialect; readonly replication: D1ReplicationAdapter } {
  const { name, region, ...config } = options ?? ({} as D1BackendOptions);
  // The dialect checks the binding first: a missing binding is the mistake to report, not a missing name.
  const dialect = new D1Dialect(config, name ?? 'd1');
  const databaseId = databaseIdOf(config.binding);
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new EdgeDbError('CONFIG_INVALID', 'd1 name must be a non-empty string');
  }
  const identity = databaseId ?? name;
  if (identity === undefined) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      "d1({ binding }) needs a `name` for the database (the binding does not expose its id): d1({ binding: env.DB, name: 'shop' })",
    );
  }
  return Object.freeze({
    dialect,
    replication: new D1ReplicationAdapter(),
    id: `d1:${identity}`,
    ...(name === undefined ? {} : { name }),
    ...(region === undefined ? {} : { region }),
  });
}

/** A database id the binding exposes (some runtimes and wrappers do), else `undefined`. */
function databaseIdOf(binding: D1DatabaseLike | undefined): string | undefined {
  const candidate = binding as { databaseId?: unknown; id?: unknown } | undefined;
  for (const value of [candidate?.databaseId, candidate?.id]) {
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}
