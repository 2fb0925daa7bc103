import type { QueryResult } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { ReplicationPosition } from '../consistency/replication-position.js';
import { normalizeTableName } from '../sql/table-name.js';
import {
  type CacheEntry,
  cacheEntryOf,
  type FetchContext,
  fetchContextOf,
  type InvalidationTarget,
  outcome,
  type PendingLoad,
  refusalOf,
  tableSet,
} from './cache-entry.js';
import type { CacheLoader, CacheLoadResult, CacheReadOptions } from './cache-read-options.js';
import type { CacheReadResult } from './cache-read-result.js';
import { CacheScopes } from './cache-scopes.js';
import type { CacheStats } from './cache-stats.js';
import { copyResult } from './copy-result.js';
import { doomedKeys } from './doomed-keys.js';
import { PendingLoads } from './pending-loads.js';
import {
  type QueryCacheOptions,
  type ResolvedQueryCacheOptions,
  requireInteger,
  resolveQueryCacheOptions,
} from './query-cache-options.js';

/**
 * The isolate-local cache of query results for one cluster. Keep one at module scope per cluster (it holds
 * plain data only, which Workers allow to outlive a request) and let the router read through it.
 *
 * Guarantees:
 * - Read-your-writes: an entry remembers the replication position it was read at and is never served to a
 *   session that requires a newer position, or to any session with a requirement when the position is unknown.
 * - Single flight: concurrent identical misses share one load, and so do stale-while-revalidate refreshes.
 * - Byte bound: the estimated bytes held never exceed `maxBytes` (least recently used entries go first).
 * - Isolation: callers get their own copy of the rows; mutating them never changes the cache.
 *
 * Built on lru-cache (`maxSize` + `sizeCalculation` for the byte bound, per-entry `ttl`, `fetchMethod` for
 * single flight), with its clock (`perf`) taken from the `now` option.
 *
 * ### Examples
 * ```ts
 * const cache = new QueryCache({ maxBytes: 4 * 1024 * 1024, ttlMs: 2_000, swrMs: 10_000 })
 *
 * const { result, status } = await cache.read<Person>(
 *   cacheKey({ family: 'postgres', sql, parameters, clusterKey }),
 *   { tables: readTablesOf(node), minPosition: session.minPosition, waitUntil: (p) => ctx.waitUntil(p) },
 *   () => runOnReplica(compiled),
 * )
 *
 * // after a write:
 * cache.invalidateTables(writtenTablesOf(node) ?? [])
 * ```
 */
export class QueryCache {
  readonly #options: ResolvedQueryCacheOptions;
  readonly #lru: LRUCache<string, CacheEntry, FetchContext>;
  readonly #pending = new PendingLoads();
  readonly #scopes = new CacheScopes((key) => this.#lru.delete(key));
  #hits = 0;
  #misses = 0;
  #stale = 0;
  #bypasses = 0;
  #evictions = 0;

  constructor(options: QueryCacheOptions = {}) {
    this.#options = resolveQueryCacheOptions(options);
    const now = this.#options.now;
    this.#lru = new LRUCache<string, CacheEntry, FetchContext>({
      maxSize: this.#options.maxBytes,
      maxEntrySize: this.#options.maxEntryBytes,
      sizeCalculation: (entry) => entry.bytes,
      ttl: this.#options.ttlMs + this.#options.swrMs,
      // No debounce timer: the clock is read on every check, which keeps a fake clock exact and
      // schedules nothing in runtimes that dislike stray timers.
      ttlResolution: 0,
      // A load that invalidation or eviction removed still answers its callers but is not stored.
      ignoreFetchAbort: true,
      fetchMethod: (key, _stale, { context, options: fetchOptions }) => {
        fetchOptions.ttl = context.ttlMs + context.swrMs;
        return this.#fetchEntry(key, context);
      },
      onInsert: (entry, key) => this.#scopes.insert(key, entry),
      dispose: (entry, key, reason) => {
        if (reason === 'evict') this.#evictions++;
        this.#scopes.remove(key, entry);
      },
      ...(now === undefined ? {} : { perf: { now } }),
    });
  }

  /**
   * Answers a read from the cache when it may, otherwise calls `load` (once for concurrent identical reads)
   * and stores the result. See {@link CacheReadOptions} for the options and {@link CacheReadResult} for the
   * outcome. Errors of `load` reject unchanged and are not cached.
   *
   * ### Examples
   * ```ts
   * const { result, status, reason } = await cache.read(key, { tables: ['person'], minPosition }, load)
   * ```
   */
  async read<R>(key: string, options: CacheReadOptions, load: CacheLoader<R>): Promise<CacheReadResult<R>> {
    const ttlMs = options.ttlMs ?? this.#options.ttlMs;
    const swrMs = options.swrMs ?? this.#options.swrMs;
    requireInteger('ttlMs', ttlMs, 1);
    requireInteger('swrMs', swrMs, 0);
    if (options.bypass !== undefined) {
      this.#bypasses++;
      const loaded = await load();
      return outcome(loaded.result, 'bypass', options.bypass, loaded.position);
    }

    const loader = load as CacheLoader<unknown>;
    this.#scopes.setCap(options.scope ?? '', options.scopeMaxBytes);
    const entry = this.#lru.peek(key, { allowStale: true });
    const now = options.now ?? this.#defaultNow;
    const age = entry === undefined ? 0 : now() - entry.storedAt;
    // A read that names its own TTL never takes an entry older than that (instances may differ).
    const freshMs = options.ttlMs === undefined ? (entry?.ttlMs ?? 0) : Math.min(entry?.ttlMs ?? 0, ttlMs);
    const staleMs = options.swrMs === undefined ? (entry?.swrMs ?? 0) : Math.min(entry?.swrMs ?? 0, swrMs);
    if (entry === undefined || age >= freshMs + staleMs) {
      return this.#miss<R>(key, options, loader, ttlMs, swrMs);
    }
    const refusal = refusalOf(entry, options.minPosition);
    if (refusal !== undefined) return this.#loadAround<R>(key, options, loader, ttlMs, swrMs, refusal);
    if (age < freshMs) {
      this.#hits++;
      this.#lru.get(key); // recency only
      return outcome(copyResult(entry.result) as QueryResult<R>, 'hit', undefined, entry.position);
    }
    this.#stale++;
    this.#refreshInBackground(key, options, loader, ttlMs, swrMs);
    return outcome(copyResult(entry.result) as QueryResult<R>, 'stale', undefined, entry.position);
  }

  /**
   * Drops every entry that reads one of `tables`, and every entry whose tables are unknown. Loads in flight
   * that read them still answer their callers but are not stored. Names compare without schema and case
   * (`public.Person` matches `person`), which can only drop more, never less. Returns the number of keys dropped.
   *
   * ### Examples
   * ```ts
   * cache.invalidateTables(writtenTablesOf(node) ?? [])
   * ```
   */
  invalidateTables(tables: readonly string[], scope?: string): number {
    const names = new Set(tables.map(normalizeTableName));
    return this.#invalidate(
      scope,
      (target) => target.tables === undefined || [...target.tables].some((table) => names.has(table)),
    );
  }

  /**
   * Drops every entry stored with one of `tags` (see `CacheReadOptions.tags`). Returns the number of keys dropped.
   *
   * ### Examples
   * ```ts
   * cache.invalidateTags(['people'])
   * ```
   */
  invalidateTags(tags: readonly string[], scope?: string): number {
    const wanted = new Set(tags);
    return this.#invalidate(scope, (target) => target.tags.some((tag) => wanted.has(tag)));
  }

  /**
   * Drops everything, including what loads in flight would store. Counters are kept.
   *
   * ### Examples
   * ```ts
   * if (writtenTablesOf(node) === undefined) cache.clear()
   * ```
   */
  clear(scope?: string): number {
    if (scope !== undefined) return this.#invalidate(scope, () => true);
    const entries = this.#lru.size;
    this.#pending.invalidateAll();
    this.#lru.clear();
    return entries;
  }

  /**
   * The entries and bytes one scope holds right now.
   *
   * ### Examples
   * ```ts
   * cache.scopeSize('postgres://db.example.com/shop#k3x9') // { entries: 12, bytes: 40960 }
   * ```
   */
  scopeSize(scope: string): { readonly entries: number; readonly bytes: number } {
    return this.#scopes.size(scope);
  }

  /**
   * Counters and current size. See {@link CacheStats}.
   *
   * ### Examples
   * ```ts
   * console.log(cache.stats()) // { hits: 10, misses: 2, stale: 0, bypasses: 1, bytes: 5120, entries: 2, evictions: 0 }
   * ```
   */
  stats(): CacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      stale: this.#stale,
      bypasses: this.#bypasses,
      bytes: this.#lru.calculatedSize,
      entries: this.#lru.size,
      evictions: this.#evictions,
    };
  }

  readonly #defaultNow = (): number => this.#lru.perf.now();

  /** No usable entry: share or start the load through lru-cache's single flight. */
  async #miss<R>(
    key: string,
    options: CacheReadOptions,
    load: CacheLoader<unknown>,
    ttlMs: number,
    swrMs: number,
  ): Promise<CacheReadResult<R>> {
    const context = fetchContextOf(options, load, ttlMs, swrMs, this.#defaultNow);
    let entry: CacheEntry | undefined;
    try {
      // forceRefresh: an expired entry must not be served; an in-flight load for the key is joined instead.
      entry = await this.#lru.fetch(key, { context, forceRefresh: true, allowStale: false });
    } finally {
      this.#pending.untrack(key, context);
    }
    if (context.loaded !== undefined) {
      this.#misses++;
      const reason = context.tooLarge === true ? 'too-large' : undefined;
      return outcome(context.loaded.result as QueryResult<R>, 'miss', reason, context.loaded.position);
    }
    if (entry === undefined) {
      // Not expected (the fetch method always yields an entry); answer without the cache rather than fail.
      this.#misses++;
      const loaded = await load();
      return outcome(loaded.result as QueryResult<R>, 'miss', undefined, loaded.position);
    }
    // Joined another session's load, which may have been routed for a weaker requirement than ours.
    const refusal = refusalOf(entry, options.minPosition);
    if (refusal !== undefined) return this.#loadAround<R>(key, options, load, ttlMs, swrMs, refusal);
    this.#misses++;
    return outcome(copyResult(entry.result) as QueryResult<R>, 'miss', undefined, entry.position);
  }

  /** Past TTL, inside SWR: one refresh for the key, kept alive through `waitUntil` by the read that started it. */
  #refreshInBackground(
    key: string,
    options: CacheReadOptions,
    load: CacheLoader<unknown>,
    ttlMs: number,
    swrMs: number,
  ): void {
    const context = fetchContextOf(options, load, ttlMs, swrMs, this.#defaultNow);
    const refresh = this.#lru
      .fetch(key, { context, forceRefresh: true, allowStale: false })
      .then(
        () => undefined,
        (error: unknown) => this.#options.onRefreshError?.(error, key),
      )
      .finally(() => this.#pending.untrack(key, context));
    if (context.dispatched) options.waitUntil?.(refresh);
  }

  /**
   * The entry exists but this session may not see it: load directly (not shared, since the load honours this
   * session's position) and keep the result if it is newer than the entry.
   */
  async #loadAround<R>(
    key: string,
    options: CacheReadOptions,
    load: CacheLoader<unknown>,
    ttlMs: number,
    swrMs: number,
    reason: 'position-unknown' | 'token-newer-than-entry',
  ): Promise<CacheReadResult<R>> {
    this.#bypasses++;
    const pending: PendingLoad = {
      scope: options.scope ?? '',
      now: options.now ?? this.#defaultNow,
      tables: tableSet(options.tables),
      tags: options.tags ?? [],
      invalidated: false,
    };
    this.#pending.track(key, pending);
    let loaded: CacheLoadResult<unknown>;
    try {
      loaded = await load();
      if (!pending.invalidated) this.#storeIfNewer(key, cacheEntryOf(key, loaded, pending, ttlMs, swrMs));
    } finally {
      this.#pending.untrack(key, pending);
    }
    return outcome(loaded.result as QueryResult<R>, 'bypass', reason, loaded.position);
  }

  #storeIfNewer(key: string, entry: CacheEntry): void {
    if (entry.bytes > this.#options.maxEntryBytes) return;
    const current = this.#lru.peek(key, { allowStale: true });
    const replaceable =
      current === undefined ||
      entry.storedAt - current.storedAt >= current.ttlMs + current.swrMs ||
      current.position === undefined ||
      (entry.position !== undefined && entry.position > current.position);
    if (replaceable) this.#lru.set(key, entry, { ttl: entry.ttlMs + entry.swrMs });
  }

  /** lru-cache's `fetchMethod`: runs synchronously up to the load, so `dispatched` is set before `fetch` returns. */
  async #fetchEntry(key: string, context: FetchContext): Promise<CacheEntry> {
    context.dispatched = true;
    // Tracked until the read that started it has seen lru-cache store the entry (see #miss and
    // #refreshInBackground), so an invalidation in between still reaches it.
    this.#pending.track(key, context);
    const loaded = await context.load();
    context.loaded = loaded;
    const entry = cacheEntryOf(key, loaded, context, context.ttlMs, context.swrMs);
    // lru-cache refuses to store it (maxEntrySize) but still hands it to every caller sharing this load.
    context.tooLarge = entry.bytes > this.#options.maxEntryBytes;
    return entry;
  }

  #invalidate(scope: string | undefined, matches: (target: InvalidationTarget) => boolean): number {
    const doomed = doomedKeys(this.#lru, this.#scopes, this.#pending, scope, matches);
    // Deleting a key whose load is in flight aborts it in lru-cache; with ignoreFetchAbort the load still
    // answers its callers but its result is not stored.
    for (const key of doomed) this.#lru.delete(key);
    return doomed.size;
  }
}
