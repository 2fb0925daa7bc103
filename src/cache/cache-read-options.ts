import type { QueryResult } from 'kysely';
import type { ReplicationPosition } from '../consistency/replication-position.js';

/**
 * What a loader passed to `cache.read()` resolves to: the rows and the replication position they were
 * read at (`undefined` when the transport could not tell).
 *
 * ### Examples
 * ```ts
 * const load = async (): Promise<CacheLoadResult<Person>> => ({ result: await run(query), position: 42n })
 * ```
 */
export interface CacheLoadResult<R> {
  readonly result: QueryResult<R>;
  readonly position: ReplicationPosition | undefined;
}

/**
 * Why the cache loads when it is not a plain miss: an entry exists but the session may not see it
 * (`token-newer-than-entry`, `position-unknown`: the read bypasses the entry), or a stale entry is refreshed in
 * the background (`refresh`).
 */
export type CacheLoadReason = 'token-newer-than-entry' | 'position-unknown' | 'refresh';

/**
 * Loads a query's rows from the database when the cache cannot answer, told why when it is not a plain miss
 * (the router reports it in the load's route event). The router builds it so that it honours the session's
 * required position.
 *
 * ### Examples
 * ```ts
 * const load: CacheLoader<Person> = () => adapter.executeWithPosition(connection, query, { role: 'replica', minPosition })
 * ```
 */
export type CacheLoader<R> = (reason?: CacheLoadReason) => Promise<CacheLoadResult<R>>;

/**
 * Per-read options of `cache.read()`. `ttlMs` and `swrMs` override the cache's defaults for this entry.
 *
 * ### Examples
 * ```ts
 * await cache.read(key, {
 *   tables: readTablesOf(compiled.query),
 *   minPosition: session.minPosition,
 *   ttlMs: 5_000,
 *   tags: ['people'],
 *   waitUntil: ctx.waitUntil.bind(ctx),
 * }, load)
 * ```
 */
export interface CacheReadOptions {
  /**
   * Which database (and credentials) the rows belong to. Invalidation, `clear`, size and caps can be limited
   * to one scope, so one cache can serve many databases without one's writes dropping another's entries.
   * The key must still tell databases apart (see `cacheKey`'s `clusterKey`). @default ''
   */
  readonly scope?: string | undefined;
  /** The clock of this read (entries remember when they were stored by it). @default the cache's clock */
  readonly now?: (() => number) | undefined;
  /** The most bytes this read's scope may hold; its oldest entries go first beyond it. */
  readonly scopeMaxBytes?: number | undefined;
  /**
   * The position the session requires (read-your-writes). Entries read at an older or unknown position
   * are never served; the read goes to the database instead.
   */
  readonly minPosition?: ReplicationPosition | undefined;
  /**
   * Freshness of an entry stored by this read, in milliseconds, and the oldest entry this read accepts.
   * Defaults to the cache's `ttlMs` (and to the entry's own TTL for what it accepts).
   */
  readonly ttlMs?: number | undefined;
  /** Stale-while-revalidate window after `ttlMs`, in milliseconds. Defaults to the cache's `swrMs`. */
  readonly swrMs?: number | undefined;
  /** Labels for `cache.invalidateTags()`. */
  readonly tags?: readonly string[] | undefined;
  /**
   * Tables the query reads (see `readTablesOf`). `undefined` means unknown (raw SQL): the entry is then
   * dropped by every table invalidation, by tag invalidation and by `clear()`.
   */
  readonly tables: readonly string[] | undefined;
  /** Keeps the background refresh of a stale entry alive after the response (Workers' `ctx.waitUntil`). */
  readonly waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
  /**
   * When set, the read skips the cache entirely (no lookup, no store) and reports `bypass` with this
   * reason, so the router's own decisions (volatile SQL, a `noCache` hint) show up in the stats.
   */
  readonly bypass?: string | undefined;
}
