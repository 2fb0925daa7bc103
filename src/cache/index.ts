// edge-db/cache: the isolate cache's implementation, kept out of the core entry so that Workers that do not
// cache do not bundle it (lru-cache and the store). Imports only stateless modules of the core (types, the
// branded EdgeDbError, table-name normalisation): this entry is built as its own bundle.
export type {
  CacheLoader,
  CacheLoadReason,
  CacheLoadResult,
  CacheReadOptions,
} from './cache-read-options.js';
export type { CacheReadResult, CacheReason, CacheStatus } from './cache-read-result.js';
export type { CacheStats } from './cache-stats.js';
export { isolateCache } from './isolate-cache.js';
export type { IsolateCacheConfig, IsolateCacheOptions } from './isolate-cache-config.js';
export { QueryCache } from './query-cache.js';
export type { QueryCacheOptions } from './query-cache-options.js';
export type { QueryCacheStore } from './query-cache-store.js';
