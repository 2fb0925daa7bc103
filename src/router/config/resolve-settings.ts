import { CONSISTENCY_MODES } from '../../consistency/consistency-mode.js';
import type { Backend } from '../../drivers/backend.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { READ_PREFERENCES } from '../plan/read-preference.js';
import {
  callback,
  flag,
  integer,
  invalidOption,
  milliseconds,
  oneOf,
  optionsObject,
} from './check-option.js';
import type { EdgeDbConfig } from './edge-db-config.js';
import type { ResolvedCacheSettings, ResolvedRouterSettings } from './resolved-settings.js';

/** Tokens older than this are ignored by default (a day): a stale cookie cannot pin reads forever. */
export const DEFAULT_TOKEN_MAX_AGE_SECONDS = 86_400;

/**
 * Validates an `edgeDb` configuration and applies defaults. Every option is checked here, at construction:
 * a bad value is an `EdgeDbError` with code `CONFIG_INVALID` that names the option, the rule and the value.
 */
export function resolveSettings(config: EdgeDbConfig): ResolvedRouterSettings {
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
  const readPreference = oneOf(config.readPreference, 'replicaPreferred', 'readPreference', READ_PREFERENCES);
  if (readPreference === 'replica' && (config.replicas?.length ?? 0) === 0) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      "readPreference 'replica' needs at least one replica in `replicas`",
    );
  }
  if (config.cluster !== undefined && (typeof config.cluster !== 'string' || config.cluster === '')) {
    throw invalidOption('cluster', 'a non-empty string', config.cluster);
  }
  const consistency =
    typeof config.consistency === 'string'
      ? { mode: config.consistency }
      : (optionsObject(config.consistency, 'consistency') ?? {});
  const mode = oneOf(consistency.mode, 'session', 'consistency.mode', CONSISTENCY_MODES);
  checkSecret(consistency.secret);
  oneOf(consistency.onInvalidToken, 'ignore', 'consistency.onInvalidToken', ['ignore', 'throw'] as const);
  const token = consistency.token;
  if (token !== undefined && token !== null && typeof token !== 'string') {
    throw invalidOption('consistency.token', 'a string, null or undefined (from readToken(request))', token);
  }
  const timeoutMs = milliseconds(config.timeoutMs, 10_000, 'timeoutMs');
  const attemptTimeoutMs = milliseconds(
    config.attemptTimeoutMs,
    Math.min(5_000, timeoutMs),
    'attemptTimeoutMs',
  );
  if (attemptTimeoutMs > timeoutMs) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `\`attemptTimeoutMs\` (${attemptTimeoutMs}) is longer than \`timeoutMs\` (${timeoutMs}), the deadline of the whole statement; lower it or raise timeoutMs`,
    );
  }
  for (const name of ['onRoute', 'waitUntil', 'now'] as const) callback(config[name], name);
  const location = optionsObject(config.location, 'location');
  if (location?.env !== undefined) optionsObject(location.env, 'location.env');
  if (
    config.regions !== undefined &&
    typeof (config.regions as { lookup?: unknown })?.lookup !== 'function'
  ) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      "`regions` must be a region table with lookup(code): import { regions } from 'edge-db/regions'",
    );
  }
  const cache = resolveCache(config.cache);
  const hedge = config.hedge;
  if (hedge !== undefined && typeof hedge !== 'boolean') optionsObject(hedge, 'hedge');
  return {
    readPreference,
    consistency: mode,
    readOnlyTransactionsOnReplicas: flag(
      config.readOnlyTransactionsOnReplicas,
      false,
      'readOnlyTransactionsOnReplicas',
    ),
    stickyAfterWriteMs: milliseconds(
      consistency.stickyAfterWriteMs,
      5000,
      'consistency.stickyAfterWriteMs',
      true,
    ),
    maxReplicaAttempts: integer(config.maxReplicaAttempts, 2, 'maxReplicaAttempts', 1),
    timeoutMs,
    attemptTimeoutMs,
    maxStalenessMs:
      config.maxStalenessMs === undefined
        ? undefined
        : milliseconds(config.maxStalenessMs, 0, 'maxStalenessMs', true),
    latencyWindowMs: milliseconds(config.latencyWindowMs, 5, 'latencyWindowMs', true),
    waitBudgetMs: milliseconds(consistency.waitBudgetMs, 100, 'consistency.waitBudgetMs', true),
    tokenMaxAgeSeconds: integer(
      consistency.tokenMaxAgeSeconds,
      DEFAULT_TOKEN_MAX_AGE_SECONDS,
      'consistency.tokenMaxAgeSeconds',
      1,
    ),
    hedge:
      hedge === undefined || hedge === false
        ? false
        : { afterMs: hedge === true ? undefined : milliseconds(hedge.afterMs, 50, 'hedge.afterMs') },
    cache,
    cacheAllReads: cache?.allReads ?? false,
    health: resolveHealth(config.health),
  };
}

function resolveCache(value: unknown): ResolvedCacheSettings | undefined {
  if (value === undefined) return undefined;
  const cache = value as Record<string, unknown> | null;
  const createStore = typeof cache === 'object' && cache !== null ? cache.createStore : undefined;
  if (cache === null || typeof createStore !== 'function') {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      "`cache` takes the configuration isolateCache() returns: `import { isolateCache } from 'edge-db/cache'` and " +
        'pass `cache: isolateCache({ ttlMs: 2_000 })`. The cache store lives in its own entry so that Workers ' +
        'that do not cache do not ship it (an LRU of about 19 KB minified); a plain object such as `{ ttlMs }` does not turn it on',
    );
  }
  return {
    ttlMs: integer(cache.ttlMs, 1000, 'cache.ttlMs', 1),
    swrMs: integer(cache.swrMs, 0, 'cache.swrMs', 0),
    maxBytes: cache.maxBytes === undefined ? undefined : integer(cache.maxBytes, 0, 'cache.maxBytes', 1),
    allReads: flag(cache.allReads, true, 'cache.allReads'),
    createStore: createStore as ResolvedCacheSettings['createStore'],
  };
}

function resolveHealth(value: unknown): ResolvedRouterSettings['health'] {
  const health = optionsObject(value, 'health');
  if (health === undefined) return undefined;
  const consecutiveFailures = integer(health.consecutiveFailures, 3, 'health.consecutiveFailures', 1);
  const baseEjectionMs = milliseconds(health.baseEjectionMs, 5000, 'health.baseEjectionMs', true);
  const maxEjectionMs = milliseconds(health.maxEjectionMs, 120_000, 'health.maxEjectionMs', true);
  if (maxEjectionMs < baseEjectionMs) {
    throw invalidOption(
      'health.maxEjectionMs',
      `at least health.baseEjectionMs (${baseEjectionMs})`,
      maxEjectionMs,
    );
  }
  const share = health.maxEjectedShare;
  if (share !== undefined && (typeof share !== 'number' || !(share >= 0 && share <= 1))) {
    throw invalidOption('health.maxEjectedShare', 'a number between 0 and 1', share);
  }
  return {
    consecutiveFailures,
    baseEjectionMs,
    maxEjectionMs,
    ...(share === undefined ? {} : { maxEjectedShare: share as number }),
  };
}

function checkSecret(secret: unknown): void {
  if (secret === undefined) return;
  const isKey = typeof CryptoKey !== 'undefined' && secret instanceof CryptoKey;
  if (!isKey && typeof secret !== 'string' && !(secret instanceof Uint8Array)) {
    throw invalidOption('consistency.secret', 'a string, a Uint8Array or a CryptoKey (HMAC)', secret);
  }
  // A string of 32 characters has at least 32 bytes in UTF-8: only a shorter one is encoded to count them.
  const bytes =
    typeof secret === 'string'
      ? secret.length >= 32
        ? secret.length
        : new TextEncoder().encode(secret).length
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

function assertBackend(backend: unknown, where: string): void {
  const dialect = (backend as Backend | undefined)?.dialect;
  if (
    dialect === undefined ||
    dialect === null ||
    typeof dialect.createDriver !== 'function' ||
    typeof dialect.createAdapter !== 'function'
  ) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `\`${where}\` must be a backend { dialect, name?, region? } with a Kysely dialect, e.g. neon({ url }) or libsql({ url })`,
    );
  }
  const { name, id } = backend as Backend;
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw invalidOption(`${where}.name`, 'a non-empty string', name);
  }
  if (id !== undefined && (typeof id !== 'string' || id === '')) {
    throw invalidOption(`${where}.id`, 'a non-empty string', id);
  }
}

/** The same database as primary and as a replica (or twice as a replica) is a mistake, never a topology. */
export function assertDistinctNodes(primary: Backend, replicas: readonly Backend[]): void {
  // A handful of nodes, checked per instance: pairs compared in place, nothing allocated.
  for (let i = 0; i < replicas.length; i++) {
    const id = replicas[i]!.id;
    if (id === undefined) continue;
    let earlier = primary.id === id ? 'primary' : undefined;
    for (let j = 0; earlier === undefined && j < i; j++) {
      if (replicas[j]!.id === id) earlier = `replicas[${j}]`;
    }
    if (earlier !== undefined) {
      throw new EdgeDbError(
        'CONFIG_INVALID',
        `\`replicas[${i}]\` points at the same database and credentials as \`${earlier}\`; each node must be a different server`,
      );
    }
  }
}
