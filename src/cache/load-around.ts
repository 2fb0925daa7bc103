import { type CacheEntry, cacheEntryOf, type PendingLoad, tableSet } from './cache-entry.js';
import type { CacheLoader, CacheLoadResult, CacheReadOptions } from './cache-read-options.js';
import type { EntryLru } from './entry-lru.js';
import type { PendingLoads } from './pending-loads.js';

/** What {@link loadAround} needs of the cache it reads around. */
export interface LoadAroundTarget {
  readonly lru: EntryLru;
  readonly pending: PendingLoads;
  readonly maxEntryBytes: number;
  readonly defaultNow: () => number;
}

/**
 * A read an entry exists for but may not answer (read-your-writes: the session requires a newer or a known
 * position): loads directly, not shared, since the load honours this session's position, and keeps the
 * result if it is newer than the entry. A write that invalidates the key meanwhile keeps it from being stored.
 *
 * ### Examples
 * ```ts
 * const loaded = await loadAround(target, key, options, load, ttlMs, swrMs, 'token-newer-than-entry')
 * ```
 */
export async function loadAround(
  target: LoadAroundTarget,
  key: string,
  options: CacheReadOptions,
  load: CacheLoader<unknown>,
  ttlMs: number,
  swrMs: number,
  reason: 'position-unknown' | 'token-newer-than-entry',
): Promise<CacheLoadResult<unknown>> {
  const pending: PendingLoad = {
    scope: options.scope ?? '',
    now: options.now ?? target.defaultNow,
    tables: tableSet(options.tables),
    tags: options.tags ?? [],
    invalidated: false,
  };
  target.pending.track(key, pending);
  try {
    const loaded = await load(reason);
    if (!pending.invalidated) storeIfNewer(target, key, cacheEntryOf(key, loaded, pending, ttlMs, swrMs));
    return loaded;
  } finally {
    target.pending.untrack(key, pending);
  }
}

/** Replaces an expired entry, one of unknown position, or one read at an older position than `entry`. */
function storeIfNewer(target: LoadAroundTarget, key: string, entry: CacheEntry): void {
  if (entry.bytes > target.maxEntryBytes) return;
  const current = target.lru.peek(key, { allowStale: true });
  const replaceable =
    current === undefined ||
    entry.storedAt - current.storedAt >= current.ttlMs + current.swrMs ||
    current.position === undefined ||
    (entry.position !== undefined && entry.position > current.position);
  if (replaceable) target.lru.set(key, entry, { ttl: entry.ttlMs + entry.swrMs });
}
