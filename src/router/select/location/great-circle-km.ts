import type { Coordinates } from '../../../drivers/region-spec.js';

const EARTH_RADIUS_KM = 6371.0088;
const RADIANS_PER_DEGREE = Math.PI / 180;

/**
 * Great-circle distance in kilometres between two points (haversine formula on a spherical Earth,
 * within about 0.5 % of the ellipsoidal distance: far more precise than city-level coordinates).
 *
 * ### Examples
 * ```ts
 * greatCircleKm({ latitude: 51.51, longitude: -0.13 }, { latitude: 48.86, longitude: 2.35 }) // ~343
 * ```
 */
export function greatCircleKm(a: Coordinates, b: Coordinates): number {
  const lat1 = a.latitude * RADIANS_PER_DEGREE;
  const lat2 = b.latitude * RADIANS_PER_DEGREE;
  const sinHalfDLat = Math.sin((lat2 - lat1) / 2);
  const sinHalfDLon = Math.sin(((b.longitude - a.longitude) * RADIANS_PER_DEGREE) / 2);
  const h = sinHalfDLat * sinHalfDLat + Math.cos(lat1) * Math.cos(lat2) * sinHalfDLon * sinHalfDLon;
  // Rounding can push h a hair above 1 for antipodal points; asin would then return NaN.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(Math.min(1, h)));
}
