import { EdgeDbError } from '../errors/edge-db-error.js';

/**
 * Options of a {@link QueryCache}. Every option is checked when the cache is created; a bad value throws an
 * `EdgeDbError` with code `CONFIG_INVALID` whose message names the option, the rule and the value given.
 *
 * ### Examples
 * ```ts
 * const cache = new QueryCache({ maxBytes: 4 * 1024 * 1024, ttlMs: 2_000, swrMs: 10_000 })
 * ```
 */
export interface QueryCacheOptions {
  /**
   * Upper bound of the bytes the cache accounts for (an estimate of the stored rows and keys, see
   * `resultSize`). Must be a positive integer.
   *
   * @default 8_388_608 (8 MiB)
   */
  readonly maxBytes?: number | undefined;
  /**
   * Largest single entry in bytes; bigger results are returned but not stored, so one large report cannot
   * flush the whole cache. Must be a positive integer not above `maxBytes`.
   *
   * @default Math.floor(maxBytes / 4)
   */
  readonly maxEntryBytes?: number | undefined;
  /**
   * How long an entry is fresh, in milliseconds. Must be a positive integer.
   *
   * @default 1_000
   */
  readonly ttlMs?: number | undefined;
  /**
   * Stale-while-revalidate window after `ttlMs`, in milliseconds: a read in this window gets the stale rows
   * at once and starts one background refresh. `0` turns it off. Must be a non-negative integer.
   *
   * @default 0
   */
  readonly swrMs?: number | undefined;
  /**
   * The clock, in milliseconds; only differences matter. Inject a fake clock in tests.
   *
   * @default `performance.now()` (or `Date.now()` where `performance` is missing)
   */
  readonly now?: (() => number) | undefined;
  /**
   * Called with the error of a background (stale-while-revalidate) refresh, which no caller awaits.
   * The stale entry is dropped, so the next read loads again and sees the error itself.
   *
   * @default ignore the error
   */
  readonly onRefreshError?: ((error: unknown, key: string) => void) | undefined;
}

/** @internal {@link QueryCacheOptions} with defaults applied and values checked. */
export interface ResolvedQueryCacheOptions {
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  readonly ttlMs: number;
  readonly swrMs: number;
  readonly now: (() => number) | undefined;
  readonly onRefreshError: ((error: unknown, key: string) => void) | undefined;
}

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const DEFAULT_TTL_MS = 1_000;

/**
 * @internal Applies defaults and validates; throws `EdgeDbError('CONFIG_INVALID')` with an exact message.
 */
export function resolveQueryCacheOptions(options: QueryCacheOptions = {}): ResolvedQueryCacheOptions {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  requireInteger('maxBytes', maxBytes, 1);
  const maxEntryBytes = options.maxEntryBytes ?? Math.max(1, Math.floor(maxBytes / 4));
  requireInteger('maxEntryBytes', maxEntryBytes, 1);
  if (maxEntryBytes > maxBytes) {
    throw invalid(
      `QueryCache option maxEntryBytes must not exceed maxBytes (${maxBytes}), got ${maxEntryBytes}`,
    );
  }
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  requireInteger('ttlMs', ttlMs, 1);
  const swrMs = options.swrMs ?? 0;
  requireInteger('swrMs', swrMs, 0);
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw invalid(
      `QueryCache option now must be a function returning milliseconds, got ${describe(options.now)}`,
    );
  }
  if (options.onRefreshError !== undefined && typeof options.onRefreshError !== 'function') {
    throw invalid(
      `QueryCache option onRefreshError must be a function, got ${describe(options.onRefreshError)}`,
    );
  }
  return { maxBytes, maxEntryBytes, ttlMs, swrMs, now: options.now, onRefreshError: options.onRefreshError };
}

/**
 * @internal Checks a duration option (cache-wide or per read). `min` is 1 for TTLs and 0 for SWR windows.
 */
export function requireInteger(name: string, value: unknown, min: 0 | 1): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const rule = min === 1 ? 'a positive integer' : 'a non-negative integer';
    throw invalid(`QueryCache option ${name} must be ${rule}, got ${describe(value)}`);
  }
}

function invalid(message: string): EdgeDbError {
  return new EdgeDbError('CONFIG_INVALID', message);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
