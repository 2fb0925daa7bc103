import type { QueryCacheStore } from './query-cache-store.js';

/**
 * Options of `isolateCache()`: how one `edgeDb` instance uses the isolate's cache. The isolate has one cache
 * for every instance and cluster (its byte budget is `configureIsolate({ cacheBytes })`); these options are the
 * instance's own.
 *
 * ### Examples
 * ```ts
 * const options: IsolateCacheOptions = { ttlMs: 2_000, swrMs: 10_000, maxBytes: 4 * 1024 * 1024 }
 * ```
 */
export interface IsolateCacheOptions {
  /** Fresh lifetime of an entry, in milliseconds. @default 1000 */
  readonly ttlMs?: number;
  /** After `ttlMs`, serve the stale entry this long while one refresh runs. @default 0 */
  readonly swrMs?: number;
  /**
   * The most bytes this cluster's entries may hold. The isolate has one budget for every cluster together
   * (8 MiB, see `configureIsolate`); this caps one cluster's share of it. @default no cap beyond the budget
   */
  readonly maxBytes?: number;
  /** Cache every eligible read (`true`) or only reads hinted with `route(db, { cache })` (`false`). @default true */
  readonly allReads?: boolean;
}

/**
 * The `cache` option of `edgeDb`, as `isolateCache()` from `edge-db/cache` returns it: the instance's options
 * and the factory of the isolate's store. Build it with `isolateCache()`, not by hand.
 *
 * ### Examples
 * ```ts
 * import { isolateCache } from 'edge-db/cache'
 *
 * const cache: IsolateCacheConfig = isolateCache({ ttlMs: 2_000 })
 * ```
 */
export interface IsolateCacheConfig extends IsolateCacheOptions {
  /**
   * Creates the isolate's one store with the isolate's byte budget. Called once per isolate (and again after
   * `configureIsolate({ cacheBytes })` changes the budget), by the first instance that reads through the cache.
   */
  readonly createStore: (budgetBytes: number) => QueryCacheStore;
}
