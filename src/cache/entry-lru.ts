import { LRUCache } from 'lru-cache';
import type { CacheEntry, FetchContext } from './cache-entry.js';
import type { ResolvedQueryCacheOptions } from './query-cache-options.js';

/** The lru-cache that holds a {@link QueryCache}'s entries, with a load's context passed to `fetch`. */
export type EntryLru = LRUCache<string, CacheEntry, FetchContext>;

/** What the LRU calls back into its owner for. */
export interface EntryLruHooks {
  /** Loads the entry of a key (lru-cache's `fetchMethod`; single flight per key). */
  readonly fetchEntry: (key: string, context: FetchContext) => Promise<CacheEntry>;
  /** An entry was stored. */
  readonly inserted: (key: string, entry: CacheEntry) => void;
  /** An entry left the LRU; `evicted` when it went to stay under the byte bound. */
  readonly removed: (key: string, entry: CacheEntry, evicted: boolean) => void;
}

/**
 * The LRU behind a query cache: `maxSize` + `sizeCalculation` for the byte bound, per-entry `ttl` (fresh and
 * stale-while-revalidate windows together), `fetchMethod` for single flight, its clock (`perf`) from the `now`
 * option.
 *
 * ### Examples
 * ```ts
 * const lru = entryLru(resolveQueryCacheOptions({ maxBytes: 1 << 20 }), { fetchEntry, inserted, removed })
 * ```
 */
export function entryLru(options: ResolvedQueryCacheOptions, hooks: EntryLruHooks): EntryLru {
  const now = options.now;
  return new LRUCache<string, CacheEntry, FetchContext>({
    maxSize: options.maxBytes,
    maxEntrySize: options.maxEntryBytes,
    sizeCalculation: (entry) => entry.bytes,
    ttl: options.ttlMs + options.swrMs,
    // No debounce timer: the clock is read on every check, which keeps a fake clock exact and
    // schedules nothing in runtimes that dislike stray timers.
    ttlResolution: 0,
    // A load that invalidation or eviction removed still answers its callers but is not stored.
    ignoreFetchAbort: true,
    fetchMethod: (key, _stale, { context, options: fetchOptions }) => {
      fetchOptions.ttl = context.ttlMs + context.swrMs;
      return hooks.fetchEntry(key, context);
    },
    onInsert: (entry, key) => hooks.inserted(key, entry),
    dispose: (entry, key, reason) => hooks.removed(key, entry, reason === 'evict'),
    ...(now === undefined ? {} : { perf: { now } }),
  });
}
