import { type Dialect, Kysely, PostgresAdapter } from 'kysely';
import { importTokenSecret } from '../consistency/consistency-token.js';
import { postgresReplication } from '../consistency/postgres-replication.js';
import type { ReplicationAdapter } from '../consistency/replication-adapter.js';
import { ConsistencySession } from '../consistency/session.js';
import type { Backend } from '../drivers/backend.js';
import { EdgeDbError } from '../errors/edge-db-error.js';
import { clusterIdentity } from './cluster/cluster-identity.js';
import { clusterRegistry } from './cluster/cluster-registry.js';
import { ClusterState } from './cluster/cluster-state.js';
import type { EdgeDbConfig } from './config/edge-db-config.js';
import { assertDistinctNodes, resolveSettings } from './config/resolve-settings.js';
import { RoutingDialect } from './execute/routing-dialect.js';
import type { RoutedNode } from './routed-node.js';
import { RouterContext } from './router-context.js';
import { detectCallerLocation } from './select/location/detect-caller-location.js';
import { resolveRegion } from './select/location/resolve-region.js';

/**
 * Creates a Kysely instance that routes every statement: reads to the best replica, writes, DDL, locks and
 * read-write transactions to the primary, with read-your-writes inside the instance (a session).
 *
 * Cheap to call per request: isolate-level state (latency, health, replica positions, cache) is shared by
 * every instance built for the same database; I/O objects are created by each backend's driver per instance.
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
 *       primary: neon({ url: env.PRIMARY_URL, region: 'aws-us-east-2' }),
 *       replicas: [neon({ url: env.REPLICA_URL, region: 'aws-us-east-2' })], // Neon replicas share the region
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
  const replicas = config.replicas ?? [];
  const backends = [config.primary, ...replicas];
  const names = nodeNames(config.primary, replicas);
  assertDistinctNodes(config.primary, replicas);
  const adapters = backends.map(inferAdapter);
  assertOneFamily(adapters, names);
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
  const regions = backends.map((backend) =>
    backend.region === undefined ? undefined : resolveRegion(backend.region),
  );
  const caller =
    config.location === undefined
      ? undefined
      : detectCallerLocation({
          request: config.location.request,
          env: config.location.env,
          explicit: config.location.region,
        });
  // Looked up once: the instance keeps its cluster's state even if the registry forgets it meanwhile.
  const registered =
    identity.key === undefined
      ? undefined
      : clusterRegistry.clusterFor(identity.key, identity.tokenKey, settings.health, now);
  const clusterOf = (): ClusterState =>
    registered ?? new ClusterState(`instance:${names.join('|')}`, identity.tokenKey, settings.health, now);
  const consistency = typeof config.consistency === 'string' ? {} : (config.consistency ?? {});
  const family = adapters.find((adapter) => adapter !== undefined)?.family ?? 'postgres';

  // Node drivers are created when Kysely asks the routing dialect for its driver (once per Kysely instance).
  const context = (): RouterContext => {
    const cluster = clusterOf();
    const nodes = backends.map((backend, index): RoutedNode => {
      const name = names[index]!;
      const key = backend.id ?? name;
      return {
        name,
        key,
        role: index === 0 ? 'primary' : 'replica',
        backend,
        driver: backend.dialect.createDriver(),
        adapter: adapters[index],
        state: cluster.node(key),
        coordinates: regions[index],
      };
    });
    return new RouterContext({
      primary: nodes[0]!,
      replicas: nodes.slice(1),
      session: new ConsistencySession(),
      cluster,
      identified: identity.key !== undefined,
      settings,
      tokens: {
        initial: consistency.token,
        onInvalid: consistency.onInvalidToken ?? 'ignore',
        cluster: cluster.tokenCluster,
        family,
        maxAgeSeconds: settings.tokenMaxAgeSeconds,
        key: () => signingKey(consistency.secret),
      },
      now,
      caller,
      waitUntil: config.waitUntil,
      onRoute: config.onRoute,
    });
  };
  return new RoutingDialect(config.primary, context);
}

/** Imported keys are plain data and cost a WebCrypto call to make: keep a few per isolate. */
const signingKeys = new Map<unknown, Promise<CryptoKey>>();

function signingKey(secret: string | Uint8Array | CryptoKey | undefined): Promise<CryptoKey | undefined> {
  if (secret === undefined) return Promise.resolve(undefined);
  let key = signingKeys.get(secret);
  if (key === undefined) {
    key = importTokenSecret(secret);
    key.catch(() => signingKeys.delete(secret));
    if (signingKeys.size > 16) signingKeys.clear();
    signingKeys.set(secret, key);
  }
  return key;
}

/** Whether a dialect class speaks PostgreSQL, learnt once per class (creating an adapter costs). */
const postgresDialects = new WeakMap<object, boolean>();

function inferAdapter(backend: Backend): ReplicationAdapter | undefined {
  if (backend.replication !== undefined) return backend.replication;
  const type = backend.dialect.constructor;
  let postgres = postgresDialects.get(type);
  if (postgres === undefined) {
    postgres = backend.dialect.createAdapter() instanceof PostgresAdapter;
    postgresDialects.set(type, postgres);
  }
  return postgres ? postgresReplication : undefined;
}

/** A libSQL primary with a Neon replica (or any mix of families) cannot replicate: a configuration error. */
function assertOneFamily(
  adapters: readonly (ReplicationAdapter | undefined)[],
  names: readonly string[],
): void {
  const first = adapters.findIndex((adapter) => adapter !== undefined);
  if (first === -1) return;
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
}

function nodeNames(primary: Backend, replicas: readonly Backend[]): string[] {
  const names = [primary.name ?? 'primary', ...replicas.map((replica, i) => replica.name ?? `replica-${i}`)];
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new EdgeDbError(
        'CONFIG_INVALID',
        `two backends are named "${name}"; give every backend a unique name`,
      );
    }
    seen.add(name);
  }
  return names;
}
