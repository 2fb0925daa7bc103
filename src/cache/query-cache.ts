import type { QueryResult } from 'kysely';
import { normalizeTableName } from '../sql/table-name.js';
import {
  type CacheEntry,
  cacheEntryOf,
  type FetchContext,
  fetchContextOf,
  freshnessOf,
  type InvalidationTarget,
  outcome,
  refusalOf,
  served,
} from './cache-entry.js';
import type { CacheLoader, CacheReadOptions } from './cache-read-options.js';
import type { CacheReadResult } from './cache-read-result.js';
import { CacheScopes } from './cache-scopes.js';
import type { CacheStats } from './cache-stats.js';
import { doomedKeys } from './doomed-keys.js';
import { type EntryLru, entryLru } from './entry-lru.js';
import { type LoadAroundTarget, loadAround } from './load-around.js';
import { PendingLoads } from './pending-loads.js';
import {
  type QueryCacheOptions,
  type ResolvedQueryCacheOptions,
  requireInteger,
  resolveQueryCacheOptions,
} from './query-cache-options.js';
import type { QueryCacheStore } from './query-cache-store.js';
import { type ReadKeyInput, readKey } from './read-key.js';

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
 * Built on lru-cache (see `entryLru`). The router reaches it only through {@link QueryCacheStore}: it is part
 * of the `edge-db/cache` entry, not of the core.
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
export class QueryCache implements QueryCacheStore {
  readonly #options: ResolvedQueryCacheOptions;
  readonly #lru: EntryLru;
  readonly #around: LoadAroundTarget;
  readonly #pending = new PendingLoads();
  readonly #scopes = new CacheScopes((key) => this.#lru.delete(key));
  #hits = 0;
  #misses = 0;
  #stale = 0;
  #bypasses = 0;
  #evictions = 0;

  constructor(options: QueryCacheOptions = {}) {
    this.#options = resolveQueryCacheOptions(options);
    this.#lru = entryLru(this.#options, {
      fetchEntry: (key, context) => this.#fetchEntry(key, context),
      inserted: (key, entry) => this.#scopes.insert(key, entry),
      removed: (key, entry, evicted) => {
        if (evicted) this.#evictions++;
        this.#scopes.remove(key, entry);
      },
    });
    const { maxEntryBytes } = this.#options;
    this.#around = { lru: this.#lru, pending: this.#pending, maxEntryBytes, defaultNow: this.#defaultNow };
  }

  /**
   * Answers a read from the cache when it may, otherwise calls `load` (once for concurrent identical reads)
   * and stores the result. See {@link CacheReadOptions} for the options and {@link CacheReadResult} for the
   * outcome. Errors of `load` reject unchanged and are not cached. An entry that may be served (a hit, or a
   * stale entry while it refreshes) is answered synchronously; a load with a promise. `await` takes both.
   *
   * ### Examples
   * ```ts
   * const { result, status, reason } = await cache.read(key, { tables: ['person'], minPosition }, load)
   * ```
   */
  read<R>(
    key: string,
    options: CacheReadOptions,
    load: CacheLoader<R>,
  ): CacheReadResult<R> | Promise<CacheReadResult<R>> {
    const ttlMs = options.ttlMs ?? this.#options.ttlMs;
    const swrMs = options.swrMs ?? this.#options.swrMs;
    try {
      requireInteger('ttlMs', ttlMs, 1);
      requireInteger('swrMs', swrMs, 0);
    } catch (error) {
      return Promise.reject(error);
    }
    if (options.bypass !== undefined) {
      this.#bypasses++;
      const reason = options.bypass;
      return load().then((loaded) => outcome(loaded.result, 'bypass', reason, loaded.position));
    }

    const loader = load as CacheLoader<unknown>;
    this.#scopes.setCap(options.scope ?? '', options.scopeMaxBytes);
    // One lookup, which also marks the entry recently used. The LRU's own ttl is the fresh and
    // stale-while-revalidate windows together: what it still holds is fresh or stale, never expired.
    const entry = this.#lru.get(key);
    const freshness =
      entry === undefined ? 'expired' : freshnessOf(entry, options, (options.now ?? this.#defaultNow)());
    if (entry === undefined || freshness === 'expired') {
      return this.#miss<R>(key, options, loader, ttlMs, swrMs);
    }
    const refusal = refusalOf(entry, options.minPosition);
    if (refusal !== undefined) return this.#loadAround<R>(key, options, loader, ttlMs, swrMs, refusal);
    if (freshness === 'fresh') {
      this.#hits++;
      return served<R>(entry, 'hit');
    }
    this.#stale++;
    this.#refreshInBackground(key, options, loader, ttlMs, swrMs);
    return served<R>(entry, 'stale');
  }

  /** See {@link QueryCacheStore.keyOf}. */
  keyOf(read: ReadKeyInput): string {
    return readKey(read);
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
    return served<R>(entry, 'miss');
  }

  /** Past TTL, inside SWR: one refresh for the key, kept alive through `waitUntil` by the read that started it. */
  #refreshInBackground(
    key: string,
    options: CacheReadOptions,
    load: CacheLoader<unknown>,
    ttlMs: number,
    swrMs: number,
  ): void {
    const context = fetchContextOf(options, () => load('refresh'), ttlMs, swrMs, this.#defaultNow);
    const refresh = this.#lru
      .fetch(key, { context, forceRefresh: true, allowStale: false })
      .then(
        () => undefined,
        (error: unknown) => this.#options.onRefreshError?.(error, key),
      )
      .finally(() => this.#pending.untrack(key, context));
    if (context.dispatched) options.waitUntil?.(refresh);
  }

  /** The entry exists but this session may not see it: see {@link loadAround}. */
  async #loadAround<R>(
    key: string,
    options: CacheReadOptions,
    load: CacheLoader<unknown>,
    ttlMs: number,
    swrMs: number,
    reason: 'position-unknown' | 'token-newer-than-entry',
  ): Promise<CacheReadResult<R>> {
    this.#bypasses++;
    const loaded = await loadAround(this.#around, key, options, load, ttlMs, swrMs, reason);
    return outcome(loaded.result as QueryResult<R>, 'bypass', reason, loaded.position);
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
