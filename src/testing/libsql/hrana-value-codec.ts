import { HranaError } from './hrana-error.js';
import type { HranaValue } from './hrana-types.js';

/** What the libSQL engine accepts as a bound parameter (it aborts the process on booleans: never pass one). */
export type SqliteBindValue = bigint | number | string | Uint8Array | null;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Turns a Hrana value into an engine value: integers become `bigint` (exact beyond 2^53), floats stay
 * `number` (so `1.0` binds as REAL), blobs become `Buffer`.
 *
 * ### Examples
 * ```ts
 * decodeHranaValue({ type: 'integer', value: '9007199254740993' }) // 9007199254740993n
 * ```
 */
export function decodeHranaValue(value: HranaValue): SqliteBindValue {
  switch (value.type) {
    case 'null':
      return null;
    case 'integer': {
      let parsed: bigint;
      try {
        parsed = BigInt(value.value);
      } catch {
        throw new HranaError(
          'ARGS_INVALID',
          `Integer value ${JSON.stringify(value.value)} is not a decimal integer`,
        );
      }
      if (parsed < INT64_MIN || parsed > INT64_MAX) {
        throw new HranaError('ARGS_INVALID', `Integer value ${value.value} does not fit in 64 bits`);
      }
      return parsed;
    }
    case 'float':
      if (typeof value.value !== 'number') {
        throw new HranaError('ARGS_INVALID', 'A float value must be a JSON number');
      }
      return value.value;
    case 'text':
      return String(value.value);
    case 'blob':
      return Buffer.from(value.base64 ?? '', 'base64');
    default:
      throw new HranaError(
        'ARGS_INVALID',
        `Unknown value type ${JSON.stringify((value as { type?: unknown }).type)}`,
      );
  }
}

/**
 * Turns a value read by the engine (with safe integers on) into a Hrana value.
 *
 * ### Examples
 * ```ts
 * encodeHranaValue(42n) // { type: 'integer', value: '42' }
 * encodeHranaValue(1.5) // { type: 'float', value: 1.5 }
 * ```
 */
export function encodeHranaValue(value: unknown): HranaValue {
  if (value === null || value === undefined) return { type: 'null' };
  if (typeof value === 'bigint') return { type: 'integer', value: value.toString() };
  // With safeIntegers(true) the engine returns INTEGER as bigint, so a number is always a REAL.
  if (typeof value === 'number') return { type: 'float', value };
  if (typeof value === 'string') return { type: 'text', value };
  if (value instanceof Uint8Array) {
    return {
      type: 'blob',
      base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'),
    };
  }
  return { type: 'text', value: String(value) };
}
