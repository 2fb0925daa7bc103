import type { IsolateCacheConfig, IsolateCacheOptions } from './isolate-cache-config.js';
import { QueryCache } from './query-cache.js';

/**
 * Turns on the isolate cache of an `edgeDb` instance: `edgeDb({ cache: isolateCache({ ttlMs: 2_000 }) })`.
 * The cache's code (an LRU with a byte bound, single flight, stale-while-revalidate) lives in this entry,
 * `edge-db/cache`, so Workers that do not cache do not ship it. Options are checked by `edgeDb()`: a bad value
 * is an `EdgeDbError` with code `CONFIG_INVALID` naming `cache.<option>`.
 *
 * ### Examples
 * ```ts
 * import { edgeDb } from 'edge-db'
 * import { isolateCache } from 'edge-db/cache'
 *
 * const db = edgeDb<Database>({ primary, replicas, cache: isolateCache({ ttlMs: 2_000, swrMs: 10_000 }) })
 * // only reads hinted with route(db, { cache: true }):
 * const hinted = edgeDb<Database>({ primary, replicas, cache: isolateCache({ allReads: false }) })
 * ```
 */
export function isolateCache(options: IsolateCacheOptions = {}): IsolateCacheConfig {
  return { ...options, createStore };
}

// One function for every instance: the store it creates is shared through the router's isolate singleton.
function createStore(budgetBytes: number): QueryCache {
  return new QueryCache({ maxBytes: budgetBytes });
}
