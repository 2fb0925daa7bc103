import type { Coordinates } from '../../../drivers/region-spec.js';

// Plain decimal degrees only: `Number('')` is 0 and `Number('1e2')` is 100, neither is a coordinate.
const DECIMAL_DEGREES = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * Turns a latitude/longitude pair from an untrusted source (request metadata, headers, config) into
 * {@link Coordinates}, or `undefined` when either part is missing, not a plain decimal number, out of range,
 * or the `0, 0` placeholder some geo-IP databases return for "unknown".
 *
 * ### Examples
 * ```ts
 * parseCoordinates('50.1109', '8.6821') // { latitude: 50.1109, longitude: 8.6821 }
 * parseCoordinates('NaN', '8.68') // undefined
 * parseCoordinates(91, 0) // undefined
 * ```
 */
export function parseCoordinates(latitude: unknown, longitude: unknown): Coordinates | undefined {
  const lat = toDegrees(latitude);
  const lon = toDegrees(longitude);
  if (lat === undefined || lon === undefined) return undefined;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  if (lat === 0 && lon === 0) return undefined;
  return { latitude: lat, longitude: lon };
}

function toDegrees(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return DECIMAL_DEGREES.test(text) ? Number(text) : undefined;
}
