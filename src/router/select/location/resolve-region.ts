import type { Coordinates, RegionSpec, RegionTable } from '../../../drivers/region-spec.js';
import { EdgeDbError } from '../../../errors/edge-db-error.js';
import { parseCoordinates } from './parse-coordinates.js';

/**
 * Coordinates of a configured region: a code the table knows (`regions` from `edge-db/regions`) or explicit
 * coordinates.
 *
 * Throws `EdgeDbError` with code `CONFIG_INVALID` for a code without a table, an unknown code or out-of-range
 * coordinates, because a silently ignored region would route every read to an arbitrary replica.
 *
 * ### Examples
 * ```ts
 * import { regions } from 'edge-db/regions'
 * resolveRegion('aws-us-east-1', regions) // { latitude: 38.95, longitude: -77.45 }
 * resolveRegion({ latitude: 60.17, longitude: 24.94 }) // Helsinki, as given
 * resolveRegion('mars-north-1', regions) // throws EdgeDbError('CONFIG_INVALID')
 * ```
 */
export function resolveRegion(spec: RegionSpec, table?: RegionTable): Coordinates {
  if (typeof spec === 'string') {
    if (table === undefined) {
      throw new EdgeDbError(
        'CONFIG_INVALID',
        `region ${JSON.stringify(spec)} is a code, and codes need the region table: ` +
          "import { regions } from 'edge-db/regions' and pass edgeDb({ ..., regions }), or give coordinates " +
          "({ latitude: 50.11, longitude: 8.68 }), or leave region out (same-region replicas, e.g. Neon's, need none).",
      );
    }
    const coordinates = table.lookup(spec);
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
