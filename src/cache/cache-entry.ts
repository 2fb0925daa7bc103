import type { QueryResult } from 'kysely';
import type { ReplicationPosition } from '../consistency/replication-position.js';
import { normalizeTableName } from '../sql/table-name.js';
import type { CacheLoader, CacheLoadResult, CacheReadOptions } from './cache-read-options.js';
import type { CacheReadResult } from './cache-read-result.js';
import { copyResult, copyStoredResult, objectKeysOf } from './copy-result.js';
import { resultSize } from './result-size.js';

/** What the cache stores per key. `result` is the cache's private copy and is never handed out. */
export interface CacheEntry {
  /** The database (and credentials) the rows belong to; see `CacheReadOptions.scope`. */
  readonly scope: string;
  readonly result: QueryResult<unknown>;
  /** The keys of `result`'s rows that hold objects (see `objectKeysOf`): what a hit deep-copies. */
  readonly objectKeys: readonly string[] | undefined;
  readonly position: ReplicationPosition | undefined;
  readonly tables: ReadonlySet<string> | undefined;
  readonly tags: readonly string[];
  readonly storedAt: number;
  readonly ttlMs: number;
  readonly swrMs: number;
  readonly bytes: number;
}

/** A load whose result may still be stored; invalidation marks it so a pre-write result is not kept. */
export interface PendingLoad {
  readonly scope: string;
  /** The clock of the read that started the load. */
  readonly now: () => number;
  readonly tables: ReadonlySet<string> | undefined;
  readonly tags: readonly string[];
  invalidated: boolean;
}

/** Passed to lru-cache's `fetchMethod`: how to load, and what the initiating read learns back. */
export interface FetchContext extends PendingLoad {
  readonly load: CacheLoader<unknown>;
  readonly ttlMs: number;
  readonly swrMs: number;
  dispatched: boolean;
  loaded?: CacheLoadResult<unknown>;
  tooLarge?: boolean;
}

/** What invalidation compares: an entry's or a pending load's tables and tags. */
export interface InvalidationTarget {
  readonly tables: ReadonlySet<string> | undefined;
  readonly tags: readonly string[];
}

// Fixed bookkeeping per entry (timestamps, lru-cache slots, the entry object) on top of rows and key.
const ENTRY_OVERHEAD_BYTES = 128;

/** The entry a load produces, with its private copy of the rows and its estimated size. */
export function cacheEntryOf(
  key: string,
  loaded: CacheLoadResult<unknown>,
  target: PendingLoad,
  ttlMs: number,
  swrMs: number,
): CacheEntry {
  let bytes = ENTRY_OVERHEAD_BYTES + 2 * key.length + resultSize(loaded.result);
  for (const tag of target.tags) bytes += 16 + 2 * tag.length;
  for (const table of target.tables ?? []) bytes += 16 + 2 * table.length;
  const result = copyResult(loaded.result);
  return {
    scope: target.scope,
    result,
    objectKeys: objectKeysOf(result.rows),
    position: loaded.position,
    tables: target.tables,
    tags: target.tags,
    storedAt: target.now(),
    ttlMs,
    swrMs,
    bytes,
  };
}

/** Table names as invalidation compares them. */
export function tableSet(tables: readonly string[] | undefined): ReadonlySet<string> | undefined {
  return tables === undefined ? undefined : new Set(tables.map(normalizeTableName));
}

/** A read's outcome, without empty fields. */
export function outcome<R>(
  result: QueryResult<R>,
  status: CacheReadResult<R>['status'],
  reason: string | undefined,
  position: ReplicationPosition | undefined,
): CacheReadResult<R> {
  // Built without spreads: this runs on every hit.
  if (reason === undefined) return position === undefined ? { result, status } : { result, status, position };
  return position === undefined ? { result, status, reason } : { result, status, reason, position };
}

/** A read answered from a stored entry: the caller's own copy of its rows. */
export function served<R>(entry: CacheEntry, status: 'hit' | 'stale' | 'miss'): CacheReadResult<R> {
  const result = copyStoredResult(entry.result, entry.objectKeys) as QueryResult<R>;
  return outcome(result, status, undefined, entry.position);
}

/**
 * How an entry may answer a read at `now`: `fresh` within its TTL, `stale` within the stale-while-revalidate
 * window after it, `expired` after both. A read that names its own TTL or window (`options.ttlMs`, `swrMs`)
 * never takes an entry older than that (instances of one cluster may differ).
 */
export function freshnessOf(
  entry: CacheEntry,
  options: CacheReadOptions,
  now: number,
): 'fresh' | 'stale' | 'expired' {
  const age = now - entry.storedAt;
  const freshMs = options.ttlMs === undefined ? entry.ttlMs : Math.min(entry.ttlMs, options.ttlMs);
  const staleMs = options.swrMs === undefined ? entry.swrMs : Math.min(entry.swrMs, options.swrMs);
  return age < freshMs ? 'fresh' : age < freshMs + staleMs ? 'stale' : 'expired';
}

/**
 * Why an entry may not be served to a read that requires `minPosition`: its position is unknown, or older
 * than the requirement (read-your-writes). `undefined` when it may be served.
 */
export function refusalOf(
  entry: CacheEntry,
  minPosition: ReplicationPosition | undefined,
): 'position-unknown' | 'token-newer-than-entry' | undefined {
  if (minPosition === undefined) return undefined;
  if (entry.position === undefined) return 'position-unknown';
  return entry.position < minPosition ? 'token-newer-than-entry' : undefined;
}

/** The context of a load through lru-cache's `fetchMethod`, for the read that starts it. */
export function fetchContextOf(
  options: CacheReadOptions,
  load: CacheLoader<unknown>,
  ttlMs: number,
  swrMs: number,
  defaultNow: () => number,
): FetchContext {
  return {
    load,
    ttlMs,
    swrMs,
    scope: options.scope ?? '',
    now: options.now ?? defaultNow,
    tables: tableSet(options.tables),
    tags: options.tags ?? [],
    invalidated: false,
    dispatched: false,
  };
}
