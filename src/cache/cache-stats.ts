/**
 * Counters of one {@link QueryCache}, as returned by `cache.stats()`. Counters only grow; `bytes` and
 * `entries` describe the cache right now.
 *
 * ### Examples
 * ```ts
 * const { hits, misses, stale } = cache.stats()
 * const hitRatio = hits / Math.max(1, hits + misses + stale)
 * ```
 */
export interface CacheStats {
  /** Reads served from a fresh entry. */
  readonly hits: number;
  /** Reads that found no usable entry and loaded (alone or sharing another caller's load). */
  readonly misses: number;
  /** Reads served from an entry past its TTL but inside its stale-while-revalidate window. */
  readonly stale: number;
  /** Reads that went to the database without being served from the cache (see `CacheReadResult.reason`). */
  readonly bypasses: number;
  /** Bytes the cache accounts for right now (never above `maxBytes`). */
  readonly bytes: number;
  /** Keys the cache holds right now, including loads still in flight. */
  readonly entries: number;
  /** Entries dropped to stay under `maxBytes` (not counting invalidation, expiry or replacement). */
  readonly evictions: number;
}
