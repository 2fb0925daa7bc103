import type { IsolateCacheConfig } from '../../cache/isolate-cache-config.js';
import type { QueryCacheStore } from '../../cache/query-cache-store.js';

/** The isolate's cache budget: every cluster's entries together stay within it. */
export const DEFAULT_ISOLATE_CACHE_BYTES = 8 * 1024 * 1024;

let store: QueryCacheStore | undefined;
let budgetBytes = DEFAULT_ISOLATE_CACHE_BYTES;

/**
 * The isolate's one query cache, shared by every cluster (each in its own scope, keyed by database identity).
 * Created on first use by the `createStore` of the first instance configured with `cache: isolateCache()`
 * (from `edge-db/cache`: the core never bundles the store), with the isolate's budget. One byte budget for all
 * clusters: 100,000 tenants in one isolate cost at most the budget. `undefined` while no store exists and
 * `createStore` is not given.
 */
export function isolateCacheStore(
  createStore: IsolateCacheConfig['createStore'] | undefined,
): QueryCacheStore | undefined {
  if (store === undefined && createStore !== undefined) store = createStore(budgetBytes);
  return store;
}

/** The cache if any read has used it yet. */
export function isolateCacheIfCreated(): QueryCacheStore | undefined {
  return store;
}

/** Changes the isolate's cache budget; the cache starts empty again when it changes. */
export function setIsolateCacheBudget(bytes: number): void {
  if (bytes === budgetBytes) return;
  budgetBytes = bytes;
  store = undefined;
}

/** Forgets every cached read (tests). */
export function resetIsolateCache(): void {
  store = undefined;
}
