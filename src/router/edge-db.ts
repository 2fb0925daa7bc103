import { type Dialect, Kysely, PostgresAdapter } from 'kysely';
import { postgresReplication } from '../consistency/postgres-replication.js';
import type { ReplicationAdapter, ReplicationFamily } from '../consistency/replication-adapter.js';
import type { Backend } from '../drivers/backend.js';
import { EdgeDbError } from '../errors/edge-db-error.js';
import { clusterIdentity } from './cluster/cluster-identity.js';
import { clusterRegistry } from './cluster/cluster-registry.js';
import type { EdgeDbConfig } from './config/edge-db-config.js';
import { assertDistinctNodes, resolveSettings } from './config/resolve-settings.js';
import { RoutingDialect } from './execute/routing-dialect.js';
import { RouterBlueprint } from './router-blueprint.js';
import { detectCallerLocation } from './select/location/detect-caller-location.js';
import { resolveRegion } from './select/location/resolve-region.js';

/**
 * Creates a Kysely instance that routes every statement: reads to the best replica, writes, DDL, locks and
 * read-write transactions to the primary, with read-your-writes inside the instance (a session).
 *
 * Cheap to call per request: isolate-level state (latency, health, replica positions, cache, the primary's
 * query compiler) is shared by every instance built for the same database; I/O objects are created by each
 * backend's driver per instance.
 * The configuration is checked here: a mistake is an `EdgeDbError` with code `CONFIG_INVALID`, not a failure
 * of the first query.
 *
 * ### Examples
 * ```ts
 * import { edgeDb } from 'edge-db'
 * import { neon } from 'edge-db/neon'
 *
 * export default {
 *   async fetch(request: Request, env: Env) {
 *     const db = edgeDb<Database>({
 *       primary: neon({ url: env.PRIMARY_URL }),
 *       replicas: [neon({ url: env.REPLICA_URL })], // Neon replicas share the primary's region: no `region`
 *     })
 *     const posts = await db.selectFrom('post').selectAll().execute() // on the replica
 *     return Response.json(posts)
 *   },
 * }
 * ```
 */
export function edgeDb<DB>(config: EdgeDbConfig): Kysely<DB> {
  return new Kysely<DB>({
    dialect: edgeDbDialect(config),
    ...(config?.plugins === undefined ? {} : { plugins: config.plugins }),
    ...(config?.log === undefined ? {} : { log: config.log }),
  });
}

/**
 * The routing dialect behind {@link edgeDb}, for tools that take a Kysely `Dialect` (kysely-ctl's
 * `defineConfig({ dialect })`, Better Auth's `{ dialect, type }`, `new Kysely({ dialect })`). Each Kysely
 * instance made from it is one session; make one per request where I/O objects must not outlive a request
 * (Workers). `plugins` and `log` of the config are `edgeDb`'s: give them to Kysely yourself here.
 *
 * ### Examples
 * ```ts
 * import { Kysely } from 'kysely'
 * import { edgeDbDialect } from 'edge-db'
 * import { libsql } from 'edge-db/libsql'
 *
 * const db = new Kysely<Database>({
 *   dialect: edgeDbDialect({ primary: libsql({ url: env.PRIMARY_URL }), replicas: [libsql({ url: env.REPLICA_URL })] }),
 * })
 * ```
 */
export function edgeDbDialect(config: EdgeDbConfig): Dialect {
  const settings = resolveSettings(config);
  const primary = config.primary;
  const replicas = config.replicas ?? [];
  const backends = [primary, ...replicas];
  const names = nodeNames(primary, replicas);
  assertDistinctNodes(primary, replicas);
  const adapters = backends.map(inferAdapter);
  const family = assertOneFamily(adapters, names);
  const identity = clusterIdentity(config, names);
  if (identity.key === undefined && settings.cache !== undefined) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      'the cache needs to know which database rows belong to, and a plain Kysely dialect does not say: set ' +
        "`cluster` (a name for this database, and for the role when rows depend on who asks) or each backend's `id`",
    );
  }
  const now = config.now ?? Date.now;
  // Unknown region codes, bad health options and disagreeing instances are configuration errors: found here.
  const coordinates = backends.map((backend) =>
    backend.region === undefined ? undefined : resolveRegion(backend.region, config.regions),
  );
  const location = config.location;
  const caller =
    location === undefined
      ? undefined
      : detectCallerLocation({
          request: location.request,
          env: location.env,
          explicit: location.region,
          regions: config.regions,
        });
  // Looked up once: the instance keeps its cluster's state even if the registry forgets it meanwhile.
  const cluster =
    identity.key === undefined
      ? undefined
      : clusterRegistry.clusterFor(identity.key, identity.tokenKey, settings.health, now);
  const consistency = typeof config.consistency === 'string' ? undefined : config.consistency;
  // Node drivers and the session are made when Kysely asks the routing dialect for its driver (once per instance).
  return new RoutingDialect(
    new RouterBlueprint({
      backends,
      names,
      adapters,
      coordinates,
      family,
      settings,
      cluster,
      tokenKey: identity.tokenKey,
      tokens: {
        initial: consistency?.token,
        onInvalid: consistency?.onInvalidToken ?? 'ignore',
        secret: consistency?.secret,
        maxAgeSeconds: settings.tokenMaxAgeSeconds,
      },
      now,
      caller,
      waitUntil: config.waitUntil,
      onRoute: config.onRoute,
    }),
  );
}

/**
 * Whether a dialect speaks PostgreSQL, learnt once per dialect class (creating an adapter costs). A dialect
 * written as a plain object has no class of its own (`Object`): it is learnt per object, or the first such
 * dialect would decide for every other.
 */
const postgresDialects = new WeakMap<object, boolean>();

function inferAdapter(backend: Backend): ReplicationAdapter | undefined {
  if (backend.replication !== undefined) return backend.replication;
  const dialect = backend.dialect;
  const made = dialect.constructor;
  const type: object = typeof made === 'function' && made !== Object ? made : dialect;
  let postgres = postgresDialects.get(type);
  if (postgres === undefined) {
    postgres = dialect.createAdapter() instanceof PostgresAdapter;
    postgresDialects.set(type, postgres);
  }
  return postgres ? postgresReplication : undefined;
}

/**
 * The nodes' database family (`postgres` when no adapter says). A libSQL primary with a Neon replica (or any
 * mix of families) cannot replicate: a configuration error.
 */
function assertOneFamily(
  adapters: readonly (ReplicationAdapter | undefined)[],
  names: readonly string[],
): ReplicationFamily {
  const first = adapters.findIndex((adapter) => adapter !== undefined);
  if (first === -1) return 'postgres';
  const family = adapters[first]!.family;
  for (const [i, adapter] of adapters.entries()) {
    if (adapter !== undefined && adapter.family !== family) {
      throw new EdgeDbError(
        'CONFIG_INVALID',
        `"${names[i]}" is a ${adapter.family} node but "${names[first]}" is ${family}: a primary and its replicas ` +
          'must be the same database engine',
      );
    }
  }
  return family;
}

function nodeNames(primary: Backend, replicas: readonly Backend[]): string[] {
  const names = [primary.name ?? 'primary'];
  for (const [i, replica] of replicas.entries()) names.push(replica.name ?? `replica-${i}`);
  // A handful of names: comparing each pair costs less than building a set per instance.
  for (let i = 1; i < names.length; i++) {
    const name = names[i]!;
    if (names.indexOf(name) < i) {
      throw new EdgeDbError(
        'CONFIG_INVALID',
        `two backends are named "${name}"; give every backend a unique name`,
      );
    }
  }
  return names;
}
