import type { LRUCache } from 'lru-cache';
import type { CacheEntry, FetchContext, InvalidationTarget } from './cache-entry.js';
import type { CacheScopes } from './cache-scopes.js';
import type { PendingLoads } from './pending-loads.js';

/**
 * The keys an invalidation drops: stored entries of `scope` (every scope when `undefined`) that `matches`,
 * loads in flight that match (marked so their result is not stored), and the stale value behind a refresh in
 * flight. Stored entries come from the scope's index, so invalidating one database never scans another's.
 */
export function doomedKeys(
  lru: LRUCache<string, CacheEntry, FetchContext>,
  scopes: CacheScopes,
  pending: PendingLoads,
  scope: string | undefined,
  matches: (target: InvalidationTarget) => boolean,
): Set<string> {
  const doomed = new Set<string>();
  const stored = scope === undefined ? lru.keys() : scopes.keys(scope);
  for (const key of stored) {
    const entry = lru.peek(key, { allowStale: true });
    if (entry !== undefined && matches(entry)) doomed.add(key);
  }
  const inFlight = new Set<string>();
  pending.invalidate(scope, matches, inFlight);
  for (const key of pending.keys()) {
    if (inFlight.has(key)) {
      doomed.add(key);
      continue;
    }
    const entry = lru.peek(key, { allowStale: true });
    if (entry !== undefined && (scope === undefined || entry.scope === scope) && matches(entry))
      doomed.add(key);
  }
  return doomed;
}
