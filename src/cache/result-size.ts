import type { QueryResult } from 'kysely';

// Rough V8 costs. Only two properties matter: the estimate grows with the data (more rows, longer strings,
// bigger blobs never make it smaller) and it is cheap enough to run on every store.
const SLOT = 8;
const STRING_HEADER = 16;
const OBJECT_HEADER = 32;
const ARRAY_HEADER = 16;
const DATE_SIZE = 32;
const BINARY_HEADER = 64;

/**
 * Estimates the bytes a query result occupies in memory: the rows and every value in them (strings, numbers,
 * `bigint`, `Date`, `Uint8Array`/`Buffer` and other binary views, nested JSON objects and arrays).
 *
 * The estimate is approximate but monotone: adding rows or making a value longer never lowers it. The
 * {@link QueryCache} uses it to keep its byte bound.
 *
 * ### Examples
 * ```ts
 * resultSize({ rows: [{ id: 1, name: 'Ada' }] }) // about 80
 * ```
 */
export function resultSize(result: QueryResult<unknown>): number {
  let bytes = OBJECT_HEADER + valueSize(result.rows);
  if (result.numAffectedRows !== undefined) bytes += valueSize(result.numAffectedRows);
  if (result.numChangedRows !== undefined) bytes += valueSize(result.numChangedRows);
  if (result.insertId !== undefined) bytes += valueSize(result.insertId);
  return bytes;
}

/**
 * Estimates the bytes of one value (see {@link resultSize}).
 *
 * ### Examples
 * ```ts
 * valueSize('abc') // 22
 * valueSize(new Uint8Array(100)) // 164
 * ```
 */
export function valueSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return STRING_HEADER + 2 * value.length;
    case 'bigint':
      // Two 64-bit digits per 16 hex characters, plus the header.
      return STRING_HEADER + SLOT * Math.ceil(value.toString(16).length / 16);
    case 'object':
      return value === null ? SLOT : objectSize(value);
    default:
      return SLOT;
  }
}

function objectSize(value: object): number {
  if (Array.isArray(value)) {
    let bytes = ARRAY_HEADER;
    for (const item of value) bytes += SLOT + valueSize(item);
    return bytes;
  }
  if (value instanceof Date) return DATE_SIZE;
  if (ArrayBuffer.isView(value)) return BINARY_HEADER + value.byteLength;
  if (value instanceof ArrayBuffer) return BINARY_HEADER + value.byteLength;
  if (value instanceof Map) {
    let bytes = OBJECT_HEADER;
    for (const [key, item] of value) bytes += SLOT + valueSize(key) + valueSize(item);
    return bytes;
  }
  if (value instanceof Set) {
    let bytes = OBJECT_HEADER;
    for (const item of value) bytes += SLOT + valueSize(item);
    return bytes;
  }
  let bytes = OBJECT_HEADER;
  for (const key of Object.keys(value)) {
    bytes += SLOT + 2 * key.length + valueSize((value as Record<string, unknown>)[key]);
  }
  return bytes;
}
