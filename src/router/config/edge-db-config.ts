import type { KyselyConfig, KyselyPlugin } from 'kysely';
import type { IsolateCacheConfig } from '../../cache/isolate-cache-config.js';
import type { ConsistencyMode } from '../../consistency/consistency-mode.js';
import type { Backend } from '../../drivers/backend.js';
import type { RegionSpec, RegionTable } from '../../drivers/region-spec.js';
import type { RouteEvent } from '../observe/route-event.js';
import type { ReadPreference } from '../plan/read-preference.js';

/** Read-your-writes settings. */
export interface ConsistencyConfig {
  /**
   * Default freshness of reads.
   * @default 'session'
   */
  readonly mode?: ConsistencyMode;
  /**
   * For backends whose replication position cannot be read: keep reads on the primary this long after a
   * write. Weaker than positions (it guesses the lag), so edge-db's drivers never need it.
   * @default 5000
   */
  readonly stickyAfterWriteMs?: number;
  /**
   * When the nearest replica is behind the session, wait up to this long for it to catch up instead of going
   * to the primary — only when the replica's estimated remaining lag plus its round trip is shorter than the
   * primary's measured round trip. `0` never waits.
   * @default 100
   */
  readonly waitBudgetMs?: number;
  /**
   * Continue a session from a consistency token (from `readToken(request)`, a header or a cookie).
   * `null`/`undefined` start a fresh session.
   */
  readonly token?: string | null | undefined;
  /**
   * Sign tokens with HMAC-SHA256 and accept only tokens signed with this secret (at least 32 bytes).
   * Without it tokens are not signed: a client could forge one, which can only make its own reads fresher
   * (slower), never staler; sign them when that matters.
   */
  readonly secret?: string | Uint8Array | CryptoKey;
  /**
   * What an invalid token (malformed, forged, of another cluster) does: `ignore` starts a fresh session and
   * reports the problem through `sessionInfo(db).tokenError`; `throw` fails every query of the instance with
   * the token's `EdgeDbError`.
   * @default 'ignore'
   */
  readonly onInvalidToken?: 'ignore' | 'throw';
  /**
   * Tokens issued longer ago than this many seconds are treated as invalid (`TOKEN_EXPIRED`, handled like
   * any invalid token), so a forgotten cookie cannot pin a session's reads for ever.
   * @default 86400 (a day)
   */
  readonly tokenMaxAgeSeconds?: number;
}

/**
 * Configuration of {@link edgeDb}.
 *
 * ### Examples
 * ```ts
 * const db = edgeDb<Database>({
 *   primary: neon({ url: env.PRIMARY_URL }),
 *   replicas: [neon({ url: env.REPLICA_URL })], // Neon replicas share the primary's region: no `region`
 *   onRoute: (event) => console.log(event.node, event.reason, event.durationMs),
 * })
 * ```
 */
export interface EdgeDbConfig {
  /** The node that takes every write, DDL, lock and read-write transaction. */
  readonly primary: Backend;
  /** Read replicas of the primary. With none, everything runs on the primary. */
  readonly replicas?: readonly Backend[];
  /**
   * Names the cluster for isolate-level state (latency, health, positions, cache) and for consistency tokens.
   * edge-db's drivers identify their database themselves (`Backend.id`); a plain Kysely dialect does not, so
   * without a `cluster` its instances share nothing across requests and cannot use the cache.
   */
  readonly cluster?: string;
  /**
   * Where reads go by default.
   * @default 'replicaPreferred'
   */
  readonly readPreference?: ReadPreference;
  /** Read-your-writes behaviour; a mode string is short for `{ mode }`. */
  readonly consistency?: ConsistencyMode | ConsistencyConfig;
  /**
   * Let `db.transaction().setAccessMode('read only')` run on a replica.
   * @default false
   */
  readonly readOnlyTransactionsOnReplicas?: boolean;
  /**
   * Deadline of one statement including fallbacks, in milliseconds.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * Deadline of one attempt on one node (connecting included), in milliseconds.
   * @default 5000
   */
  readonly attemptTimeoutMs?: number;
  /**
   * How many replicas one read may try before falling back to the primary.
   * @default 2
   */
  readonly maxReplicaAttempts?: number;
  /** Skip replicas whose estimated lag is above this, in milliseconds. */
  readonly maxStalenessMs?: number;
  /**
   * Where the caller is, to rank replicas by distance before latency has been measured: pass the incoming
   * `Request` (Workers' `request.cf`, Vercel's headers) and/or `env` (`VERCEL_REGION`, `FLY_REGION`,
   * `DENO_REGION`, `AWS_REGION`), or an explicit `region` (code or coordinates), which wins.
   */
  readonly location?: {
    readonly request?: Request;
    readonly env?: Readonly<Record<string, string | undefined>>;
    readonly region?: RegionSpec;
  };
  /**
   * The region-code table, for backends and a caller's location given as codes (`'aws-us-east-1'`, `'fra1'`,
   * `'iad'`) and for the codes platforms report (`request.cf.colo`, Vercel's region, `FLY_REGION`):
   * `import { regions } from 'edge-db/regions'`. Its own entry, so apps that place no node on a map do not ship
   * it. Without it, a code in the configuration is `CONFIG_INVALID` and the caller's location comes from
   * coordinates only (`request.cf`, Vercel's `x-vercel-ip-*` headers).
   *
   * ### Examples
   * ```ts
   * import { regions } from 'edge-db/regions'
   * edgeDb({ primary: libsql({ url, region: 'iad' }), replicas: [libsql({ url: fra, region: 'fra' })], regions })
   * ```
   */
  readonly regions?: RegionTable;
  /**
   * Replicas whose measured round trip is within this many milliseconds of the best are treated as equal and
   * load is spread among them (power of two choices).
   * @default 5
   */
  readonly latencyWindowMs?: number;
  /** Passive health checking: consecutive failures eject a replica for a growing period. */
  readonly health?: {
    /** @default 3 */
    readonly consecutiveFailures?: number;
    /** @default 5000 */
    readonly baseEjectionMs?: number;
    /** @default 120000 */
    readonly maxEjectionMs?: number;
    /** At most this share of replicas is ejected at once. @default 0.5 */
    readonly maxEjectedShare?: number;
  };
  /**
   * Hedged reads (opt-in): when the chosen replica has not answered within its recent p95 (or `afterMs`),
   * send the same read to the next choice and take the first answer.
   * @default false
   */
  readonly hedge?: boolean | { readonly afterMs?: number };
  /**
   * Cache reads in the isolate: `cache: isolateCache({ ttlMs, swrMs, maxBytes, allReads })`, with
   * `import { isolateCache } from 'edge-db/cache'` (the store lives in that entry, so Workers that do not cache
   * do not bundle it). Off unless given; a per-query hint `route(db, { cache: false })` skips it for one query,
   * and with `allReads: false` only reads hinted with `route(db, { cache })` use it. A hint asking for the cache
   * on an instance without this option fails its query with `CONFIG_INVALID`.
   */
  readonly cache?: IsolateCacheConfig | undefined;
  /** Keeps background work (cache refreshes) alive after the response, e.g. `ctx.waitUntil.bind(ctx)`. */
  readonly waitUntil?: (promise: Promise<unknown>) => void;
  /** Receives every routing decision after the statement finished. Exceptions it throws are ignored. */
  readonly onRoute?: (event: RouteEvent) => void;
  /** Kysely plugins, applied as with `new Kysely({ plugins })`. */
  readonly plugins?: KyselyPlugin[];
  /** Kysely's logger. */
  readonly log?: KyselyConfig['log'];
  /**
   * The clock, in milliseconds. Injected by tests.
   * @default Date.now
   */
  readonly now?: () => number;
}
