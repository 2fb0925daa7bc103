import { Kysely, PostgresAdapter } from 'kysely';
import { CONSISTENCY_MODES, type ConsistencyMode } from '../consistency/consistency-mode.js';
import { clusterHash, importTokenSecret } from '../consistency/consistency-token.js';
import { postgresReplication } from '../consistency/postgres-replication.js';
import type { ReplicationAdapter } from '../consistency/replication-adapter.js';
import { ConsistencySession } from '../consistency/session.js';
import type { Backend } from '../drivers/backend.js';
import { EdgeDbError } from '../errors/edge-db-error.js';
import { clusterCacheFor } from './cluster/cluster-cache.js';
import { clusterHealthFor } from './cluster/cluster-health.js';
import { clusterStateFor, nodeStateFor } from './cluster/cluster-state.js';
import type { EdgeDbConfig } from './config/edge-db-config.js';
import { RoutingDialect } from './execute/routing-dialect.js';
import { isReadPreference } from './plan/read-preference.js';
import type { RoutedNode } from './routed-node.js';
import type { ResolvedRouterSettings, RouterContext } from './router-context.js';
import { detectCallerLocation } from './select/location/detect-caller-location.js';
import { resolveRegion } from './select/location/resolve-region.js';
import { rankForRead } from './select/rank-for-read.js';

/**
 * Creates a Kysely instance that routes every statement: reads to the best replica, writes, DDL, locks and
 * read-write transactions to the primary, with read-your-writes inside the instance (a session).
 *
 * Cheap to call per request: isolate-level state (latency, health, replica positions, cache) is shared by
 * every instance built for the same cluster; I/O objects are created by each backend's driver per instance.
 *
 * ### Examples
 * ```ts
 * import { edgeDb } from 'edge-db'
 * import { neon } from 'edge-db/neon'
 *
 * export default {
 *   async fetch(request: Request, env: Env) {
 *     const db = edgeDb<Database>({
 *       primary: neon({ url: env.PRIMARY_URL, region: 'aws-us-east-1' }),
 *       replicas: [neon({ url: env.REPLICA_URL, region: 'aws-eu-central-1' })],
 *     })
 *     const posts = await db.selectFrom('post').selectAll().execute() // nearest replica
 *     return Response.json(posts)
 *   },
 * }
 * ```
 */
export function edgeDb<DB>(config: EdgeDbConfig): Kysely<DB> {
  const settings = resolveSettings(config);
  const replicas = config.replicas ?? [];
  const names = nodeNames(config.primary, replicas);
  const clusterKey =
    config.cluster ?? [config.primary, ...replicas].map((backend, i) => backend.id ?? names[i]!).join('|');
  const cluster = clusterStateFor(clusterKey);
  const consistencyConfig =
    typeof config.consistency === 'string' ? { mode: config.consistency } : (config.consistency ?? {});
  const now = config.now ?? Date.now;
  const onRoute = config.onRoute;
  // Unknown region codes are configuration errors: fail at construction, not at the first read.
  const regions = [config.primary, ...replicas].map((backend) =>
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

  // Node drivers are created lazily, when Kysely asks the routing dialect for its driver.
  const context = (): RouterContext => {
    const makeNode = (backend: Backend, index: number): RoutedNode => {
      const name = names[index]!;
      return {
        name,
        role: index === 0 ? 'primary' : 'replica',
        backend,
        driver: backend.dialect.createDriver(),
        adapter: inferAdapter(backend),
        state: nodeStateFor(cluster, name),
        coordinates: regions[index],
      };
    };
    const primary = makeNode(config.primary, 0);
    const replicaNodes = replicas.map((backend, i) => makeNode(backend, i + 1));
    const nodesByName = new Map([primary, ...replicaNodes].map((node) => [node.name, node]));
    const health = clusterHealthFor(
      cluster,
      { primary: primary.name, replicas: replicaNodes.map((node) => node.name) },
      { now, outliers: config.health },
    );
    const session = new ConsistencySession();
    return {
      primary,
      replicas: replicaNodes,
      nodesByName,
      session,
      cluster,
      settings,
      tokens: {
        initial: consistencyConfig.token,
        onInvalid: consistencyConfig.onInvalidToken ?? 'ignore',
        cluster: clusterHash(clusterKey),
        family: primary.adapter?.family ?? 'postgres',
        key: () => signingKey(consistencyConfig.secret),
      },
      now,
      rankReplicas: (hint) =>
        rankForRead(
          (hint?.readPreference ?? settings.readPreference) === 'nearest'
            ? [primary, ...replicaNodes]
            : replicaNodes,
          health,
          session,
          settings,
          caller,
          hint,
        ),
      beginAttempt: (node) => {
        const tracker = health.latency.get(node.name);
        tracker?.begin();
        node.state.inFlight++;
        return (attempt) => {
          tracker?.end();
          node.state.inFlight--;
          if (attempt.outcome === 'ok') tracker?.record(attempt.durationMs);
          if (node.role !== 'replica') return;
          if (attempt.outcome === 'ok' || attempt.outcome === 'behind')
            health.outliers.recordSuccess(node.name);
          else if (attempt.outcome === 'error' || attempt.outcome === 'timeout')
            health.outliers.recordFailure(node.name);
        };
      },
      tailLatencyMs: (node) => health.latency.get(node.name)?.percentileMs(0.95),
      expectedRttMs: (node) => health.latency.get(node.name)?.estimateMs(),
      cache: () => clusterCacheFor(cluster, config.cache, now),
      cacheInUse: () => config.cache !== undefined || cluster.extensions.has('cache'),
      clusterKey,
      waitUntil: config.waitUntil,
      emit: (event) => {
        if (onRoute === undefined) return;
        try {
          onRoute(event);
        } catch {
          // A failing observer must never fail the query it observes.
        }
      },
    };
  };

  return new Kysely<DB>({
    dialect: new RoutingDialect(config.primary, context),
    ...(config.plugins === undefined ? {} : { plugins: config.plugins }),
    ...(config.log === undefined ? {} : { log: config.log }),
  });
}

/** Imported keys are plain data and cost a WebCrypto call to make: keep them per isolate. */
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

function inferAdapter(backend: Backend): ReplicationAdapter | undefined {
  if (backend.replication !== undefined) return backend.replication;
  return backend.dialect.createAdapter() instanceof PostgresAdapter ? postgresReplication : undefined;
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

function resolveSettings(config: EdgeDbConfig): ResolvedRouterSettings {
  if (config === null || typeof config !== 'object') {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      'edgeDb(config) needs a configuration object with at least `primary`',
    );
  }
  assertBackend(config.primary, 'primary');
  if (config.replicas !== undefined) {
    if (!Array.isArray(config.replicas)) {
      throw new EdgeDbError('CONFIG_INVALID', '`replicas` must be an array of backends (or left out)');
    }
    for (const [i, replica] of config.replicas.entries()) assertBackend(replica, `replicas[${i}]`);
  }
  const readPreference = config.readPreference ?? 'replicaPreferred';
  if (!isReadPreference(readPreference)) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `readPreference "${String(readPreference)}" is not one of primary, primaryPreferred, replica, replicaPreferred, nearest`,
    );
  }
  if (readPreference === 'replica' && (config.replicas?.length ?? 0) === 0) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      "readPreference 'replica' needs at least one replica in `replicas`",
    );
  }
  const consistency =
    typeof config.consistency === 'string' ? { mode: config.consistency } : (config.consistency ?? {});
  const mode: ConsistencyMode = consistency.mode ?? 'session';
  if (!CONSISTENCY_MODES.includes(mode)) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `consistency mode "${String(mode)}" is not one of ${CONSISTENCY_MODES.join(', ')}`,
    );
  }
  const secret = consistency.secret;
  if (secret !== undefined) {
    const bytes =
      typeof secret === 'string'
        ? new TextEncoder().encode(secret).length
        : secret instanceof Uint8Array
          ? secret.length
          : undefined;
    if (bytes !== undefined && bytes < 32) {
      throw new EdgeDbError(
        'CONFIG_INVALID',
        'consistency.secret must be at least 32 bytes; generate one with `openssl rand -base64 32`',
      );
    }
  }
  return {
    readPreference,
    consistency: mode,
    readOnlyTransactionsOnReplicas: config.readOnlyTransactionsOnReplicas ?? false,
    stickyAfterWriteMs: positive(
      consistency.stickyAfterWriteMs,
      5000,
      'consistency.stickyAfterWriteMs',
      true,
    ),
    maxReplicaAttempts: positive(config.maxReplicaAttempts, 2, 'maxReplicaAttempts'),
    timeoutMs: positive(config.timeoutMs, 10_000, 'timeoutMs'),
    attemptTimeoutMs: positive(config.attemptTimeoutMs, 5_000, 'attemptTimeoutMs'),
    maxStalenessMs:
      config.maxStalenessMs === undefined
        ? undefined
        : positive(config.maxStalenessMs, 0, 'maxStalenessMs', true),
    latencyWindowMs: positive(config.latencyWindowMs, 5, 'latencyWindowMs', true),
    waitBudgetMs: positive(consistency.waitBudgetMs, 100, 'consistency.waitBudgetMs', true),
    hedge:
      config.hedge === undefined || config.hedge === false
        ? false
        : {
            afterMs: config.hedge === true ? undefined : positive(config.hedge.afterMs, 50, 'hedge.afterMs'),
          },
    cacheAllReads: config.cache !== undefined && (config.cache.allReads ?? true),
  };
}

function assertBackend(backend: unknown, where: string): void {
  const dialect = (backend as Backend | undefined)?.dialect;
  if (
    dialect === undefined ||
    typeof dialect.createDriver !== 'function' ||
    typeof dialect.createAdapter !== 'function'
  ) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `\`${where}\` must be a backend { dialect, name?, region? } with a Kysely dialect, e.g. neon({ url }) or libsql({ url })`,
    );
  }
}

/** The longest delay timers accept everywhere (2^31 - 1 ms); longer ones fire at once in Node. */
const MAX_TIMER_MS = 2_147_483_647;

function positive(value: number | undefined, fallback: number, name: string, allowZero = false): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    value > MAX_TIMER_MS ||
    (!allowZero && value === 0)
  ) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `\`${name}\` must be a finite ${allowZero ? 'non-negative' : 'positive'} number of milliseconds (at most ${MAX_TIMER_MS}) or a count, got ${String(value)}`,
    );
  }
  return value;
}
