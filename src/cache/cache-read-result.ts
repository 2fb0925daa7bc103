import type { QueryResult } from 'kysely';
import type { ReplicationPosition } from '../consistency/replication-position.js';

/**
 * How a read through the {@link QueryCache} was answered.
 *
 * - `hit`: from a fresh entry.
 * - `miss`: no usable entry; the rows were loaded (possibly by a concurrent identical read) and stored.
 * - `stale`: from an entry past its TTL but inside its stale-while-revalidate window; one refresh runs
 *   in the background.
 * - `bypass`: loaded without using the cache; `reason` says why.
 *
 * ### Examples
 * ```ts
 * const { status } = await cache.read(key, { tables: ['person'] }, load)
 * if (status === 'bypass') console.log('cache not used')
 * ```
 */
export type CacheStatus = 'hit' | 'miss' | 'stale' | 'bypass';

/**
 * Why a read was not served from the cache, or why a miss was not stored.
 *
 * - `position-unknown`: the entry does not know the position it was read at and the session requires one.
 * - `token-newer-than-entry`: the session has seen a newer position than the entry was read at.
 * - `too-large`: (on a `miss`) the result was larger than `maxEntryBytes` and was not stored.
 * - any other string: the reason the caller passed as `bypass` (for example `volatile` or `no-cache`).
 *
 * ### Examples
 * ```ts
 * if (outcome.reason === 'token-newer-than-entry') metrics.count('cache.ryw_bypass')
 * ```
 */
export type CacheReason = 'position-unknown' | 'token-newer-than-entry' | 'too-large' | (string & {});

/**
 * What `cache.read()` resolves to.
 *
 * ### Examples
 * ```ts
 * const { result, status, position } = await cache.read<Person>(key, { tables: ['person'] }, load)
 * return result.rows
 * ```
 */
export interface CacheReadResult<R> {
  /** The rows. The caller owns them: mutating them never changes what the cache holds. */
  readonly result: QueryResult<R>;
  readonly status: CacheStatus;
  readonly reason?: CacheReason;
  /** The replication position the returned rows were read at, when known. */
  readonly position?: ReplicationPosition;
}
