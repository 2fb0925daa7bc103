import { QueryCache } from '../../cache/query-cache.js';

/** The isolate's cache budget: every cluster's entries together stay within it. */
export const DEFAULT_ISOLATE_CACHE_BYTES = 8 * 1024 * 1024;

let cache: QueryCache | undefined;
let budgetBytes = DEFAULT_ISOLATE_CACHE_BYTES;

/**
 * The isolate's one query cache, shared by every cluster (each in its own scope, keyed by database identity),
 * created on first use. One byte budget for all of them: 100,000 tenants in one isolate cost at most the budget.
 */
export function isolateCache(): QueryCache {
  cache ??= new QueryCache({ maxBytes: budgetBytes });
  return cache;
}

/** The cache if any read has used it yet. */
export function isolateCacheIfCreated(): QueryCache | undefined {
  return cache;
}

/** Changes the isolate's cache budget; the cache starts empty again when it changes. */
export function setIsolateCacheBudget(bytes: number): void {
  if (bytes === budgetBytes) return;
  budgetBytes = bytes;
  cache = undefined;
}

/** Forgets every cached read (tests). */
export function resetIsolateCache(): void {
  cache = undefined;
}
