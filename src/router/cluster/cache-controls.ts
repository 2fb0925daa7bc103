import type { Kysely } from 'kysely';
import type { CacheStats } from '../../cache/cache-stats.js';
import { routerContextOf } from '../router-context-of.js';
import { isolateCacheIfCreated } from './isolate-cache.js';

/**
 * Hits, misses, stale serves and bypasses of `db`'s cluster in the isolate cache, the bytes and entries it
 * holds there, and the evictions of the whole isolate cache (one byte budget for every cluster).
 *
 * ### Examples
 * ```ts
 * const { hits, misses, bytes } = await cacheStats(db)
 * ```
 */
export async function cacheStats(db: Kysely<any>): Promise<CacheStats> {
  const context = await routerContextOf(db);
  const counters = context.cluster.cacheCounters;
  const size = context.identified ? (isolateCacheIfCreated()?.scopeSize(context.cacheScope) ?? EMPTY) : EMPTY;
  return {
    hits: counters.hits,
    misses: counters.misses,
    stale: counters.stale,
    bypasses: counters.bypasses,
    bytes: size.bytes,
    entries: size.entries,
    evictions: isolateCacheIfCreated()?.stats().evictions ?? 0,
  };
}

const EMPTY = { entries: 0, bytes: 0 } as const;

/**
 * Drops cached reads of `db`'s cluster by table or by tag (given with `route(db, { cache: { tags } })`), or
 * all of them when called without a filter. Writes through this isolate invalidate their tables by
 * themselves; use this after writes made elsewhere (a queue consumer, another service) that this isolate
 * should see before the TTL ends. Returns how many entries were dropped.
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
  const context = await routerContextOf(db);
  const cache = context.identified ? isolateCacheIfCreated() : undefined;
  if (cache === undefined) return 0;
  const scope = context.cacheScope;
  if (filter.tables === undefined && filter.tags === undefined) return cache.clear(scope);
  return (
    (filter.tables ? cache.invalidateTables(filter.tables, scope) : 0) +
    (filter.tags ? cache.invalidateTags(filter.tags, scope) : 0)
  );
}
