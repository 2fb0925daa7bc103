import type { Coordinates, RegionSpec } from '../../../drivers/region-spec.js';
import { EdgeDbError } from '../../../errors/edge-db-error.js';
import { parseCoordinates } from './parse-coordinates.js';
import { lookupRegion } from './region-table.js';

/**
 * Coordinates of a configured region: a known code (see {@link lookupRegion}) or explicit coordinates.
 *
 * Throws `EdgeDbError` with code `CONFIG_INVALID` for an unknown code or out-of-range coordinates, because
 * a silently ignored region would route every read to an arbitrary replica.
 *
 * ### Examples
 * ```ts
 * resolveRegion('aws-us-east-1') // { latitude: 38.95, longitude: -77.45 }
 * resolveRegion({ latitude: 60.17, longitude: 24.94 }) // Helsinki, as given
 * resolveRegion('mars-north-1') // throws EdgeDbError('CONFIG_INVALID')
 * ```
 */
export function resolveRegion(spec: RegionSpec): Coordinates {
  if (typeof spec === 'string') {
    const coordinates = lookupRegion(spec);
    if (coordinates !== undefined) return coordinates;
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `unknown region ${JSON.stringify(spec)}. Use a cloud region ('us-east-1', 'aws-eu-central-1', ` +
        `'us-central1', 'westeurope'), a Fly.io/IATA code ('iad', 'fra'), a Vercel region ('fra1'), ` +
        'or give coordinates instead: { latitude: 50.11, longitude: 8.68 }.',
    );
  }
  const coordinates = parseCoordinates(spec?.latitude, spec?.longitude);
  if (coordinates !== undefined) return coordinates;
  throw new EdgeDbError(
    'CONFIG_INVALID',
    `invalid coordinates ${JSON.stringify(spec)}. Give decimal degrees with latitude in [-90, 90] and ` +
      'longitude in [-180, 180], for example { latitude: 50.11, longitude: 8.68 }, or a region code like "fra1".',
  );
}
