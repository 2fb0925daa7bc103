import type { Kysely } from 'kysely';
import type { CacheStats } from '../../cache/cache-stats.js';
import { routerContextOf } from '../plan/explain-route.js';

/**
 * Hits, misses, stale serves, bypasses, bytes, entries and evictions of the isolate cache of `db`'s cluster.
 *
 * ### Examples
 * ```ts
 * const { hits, misses, bytes } = await cacheStats(db)
 * ```
 */
export async function cacheStats(db: Kysely<any>): Promise<CacheStats> {
  return (await routerContextOf(db)).cache().stats();
}

/**
 * Drops cached reads by table or by tag (given with `route(db, { cache: { tags } })`), or everything when
 * called without a filter. Writes through this isolate invalidate their tables by themselves; use this after
 * writes made elsewhere (a queue consumer, another service) that this isolate should see before the TTL ends.
 *
 * ### Examples
 * ```ts
 * await invalidateCache(db, { tags: ['catalog'] })
 * ```
 */
export async function invalidateCache(
  db: Kysely<any>,
  filter: { readonly tables?: readonly string[]; readonly tags?: readonly string[] } = {},
): Promise<number> {
  const cache = (await routerContextOf(db)).cache();
  if (filter.tables === undefined && filter.tags === undefined) {
    const entries = cache.stats().entries;
    cache.clear();
    return entries;
  }
  return (
    (filter.tables ? cache.invalidateTables(filter.tables) : 0) +
    (filter.tags ? cache.invalidateTags(filter.tags) : 0)
  );
}
