import type { QueryResult } from 'kysely';

const typedArraySlice = Object.getPrototypeOf(Uint8Array.prototype).slice as (
  this: ArrayBufferView,
) => ArrayBufferView;

/**
 * Deep-copies a query result so the cache and each caller own separate rows.
 *
 * Chosen over `structuredClone` (about 7x slower on typical rows) and over freezing (free on a hit, but a
 * caller's `row.x = 1` would throw only when the rows came from the cache, and `Date` and `Uint8Array`
 * cannot be frozen). Keeps what drivers return: `Date`, `bigint`, `Buffer` stays a `Buffer`, typed arrays,
 * nested JSON, class instances keep their prototype.
 *
 * ### Examples
 * ```ts
 * const mine = copyResult(stored)
 * mine.rows[0].name = 'changed' // `stored` is unchanged
 * ```
 */
export function copyResult<R>(result: QueryResult<R>): QueryResult<R> {
  return { ...result, rows: copyValue(result.rows) as R[] };
}

/**
 * How {@link copyStoredResult} copies the rows of one stored result, worked out once when it is stored: the
 * keys that hold an object in some row, or `undefined` when a row is not a plain object (then every value is
 * copied the general way).
 *
 * ### Examples
 * ```ts
 * objectKeysOf([{ id: 1, at: new Date() }]) // ['at']
 * ```
 */
export function objectKeysOf(rows: readonly unknown[]): readonly string[] | undefined {
  const keys = new Set<string>();
  for (const row of rows) {
    if (typeof row !== 'object' || row === null || Object.getPrototypeOf(row) !== Object.prototype)
      return undefined;
    for (const key in row) {
      const value = (row as Record<string, unknown>)[key];
      if (typeof value === 'object' && value !== null) keys.add(key);
    }
  }
  return [...keys];
}

/**
 * {@link copyResult} for a result the cache stores and never changes, with its rows' {@link objectKeysOf}: a
 * row is copied with a spread (rows of primitives cost no more than that), then only the keys that hold objects
 * are deep-copied. About 6x faster than the general copy on rows of numbers and strings.
 *
 * ### Examples
 * ```ts
 * const mine = copyStoredResult(entry.result, entry.objectKeys)
 * ```
 */
export function copyStoredResult<R>(
  result: QueryResult<R>,
  objectKeys: readonly string[] | undefined,
): QueryResult<R> {
  if (objectKeys === undefined) return copyResult(result);
  const rows = result.rows;
  const copy = new Array<R>(rows.length);
  for (let index = 0; index < rows.length; index++) {
    const row = { ...rows[index] } as Record<string, unknown>;
    for (const key of objectKeys) {
      const value = row[key];
      if (typeof value === 'object' && value !== null) row[key] = copyValue(value);
    }
    copy[index] = row as R;
  }
  return { ...result, rows: copy };
}

/**
 * Deep-copies one value the way {@link copyResult} copies rows.
 *
 * ### Examples
 * ```ts
 * const copy = copyValue({ at: new Date(), tags: ['a'] })
 * ```
 */
export function copyValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) copy[index] = copyValue(value[index]);
    return copy;
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) {
      return new DataView(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
    }
    // %TypedArray%.prototype.slice copies and keeps the subclass, so a Buffer stays a Buffer.
    return typedArraySlice.call(value);
  }
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype === Object.prototype) {
    // for-in over a plain object: the hot path (every row), faster than Object.keys.
    const copy: Record<string, unknown> = {};
    for (const key in value) copy[key] = copyValue((value as Record<string, unknown>)[key]);
    return copy;
  }
  if (value instanceof ArrayBuffer) return value.slice(0);
  if (value instanceof Map) {
    return new Map(Array.from(value, ([key, item]) => [copyValue(key), copyValue(item)] as const));
  }
  if (value instanceof Set) return new Set(Array.from(value, copyValue));
  // Null-prototype objects, and class instances from type parsers (for example an interval object),
  // which are plain data with a prototype.
  const copy = Object.create(prototype) as Record<string, unknown>;
  for (const key of Object.keys(value)) copy[key] = copyValue((value as Record<string, unknown>)[key]);
  return copy;
}
