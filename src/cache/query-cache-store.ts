import type { CacheLoader, CacheReadOptions } from './cache-read-options.js';
import type { CacheReadResult } from './cache-read-result.js';
import type { CacheStats } from './cache-stats.js';
import type { ReadKeyInput } from './read-key.js';

/**
 * What the router needs of the isolate's cache: reads through it, invalidation and sizes. The core only knows
 * this type; the implementation (`QueryCache`, over lru-cache) comes with `isolateCache()` from
 * `edge-db/cache`, so a Worker that does not cache never bundles it.
 *
 * ### Examples
 * ```ts
 * const store: QueryCacheStore = isolateCache().createStore(8 * 1024 * 1024)
 * const { result, status } = await store.read(key, { tables: ['person'], scope }, load)
 * ```
 */
export interface QueryCacheStore {
  /**
   * The key of a read (SQL text, parameters, cluster, family). Throws `EdgeDbError` `UNSUPPORTED` for a
   * parameter that cannot be a database value: the read then skips the cache.
   */
  keyOf(read: ReadKeyInput): string;
  /**
   * Answers from an entry when it may, otherwise loads (once for concurrent identical reads) and stores. A hit
   * (fresh or stale) is answered synchronously, a load with a promise: `await` takes both.
   */
  read<R>(
    key: string,
    options: CacheReadOptions,
    load: CacheLoader<R>,
  ): CacheReadResult<R> | Promise<CacheReadResult<R>>;
  /** Drops the entries of `scope` that read one of `tables` (or whose tables are unknown); returns how many. */
  invalidateTables(tables: readonly string[], scope?: string): number;
  /** Drops the entries of `scope` stored with one of `tags`; returns how many. */
  invalidateTags(tags: readonly string[], scope?: string): number;
  /** Drops every entry of `scope` (of every scope without one); returns how many. */
  clear(scope?: string): number;
  /** The entries and bytes one scope holds right now. */
  scopeSize(scope: string): { readonly entries: number; readonly bytes: number };
  /** Counters of the whole store (every scope). */
  stats(): CacheStats;
}
