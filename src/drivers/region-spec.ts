import type { KnownRegionCode } from './region-codes.js';

/** A point on Earth in decimal degrees. */
export interface Coordinates {
  readonly latitude: number;
  readonly longitude: number;
}

/**
 * Where a node or a caller is: a region code (`'aws-us-east-1'`, `'iad'`, `'fra1'`, `'eu-central-1'`, ...)
 * or explicit coordinates. Known codes complete in editors; any other string is accepted by the type and
 * checked at construction (an unknown code is a `CONFIG_INVALID`), so a code added to the table later works.
 */
export type RegionSpec = KnownRegionCode | (string & {}) | Coordinates;

/**
 * Resolves region codes to coordinates: `regions` from `edge-db/regions`, or a table of your own (for
 * example, only the three codes your nodes use).
 */
export interface RegionTable {
  /** Coordinates of a code, or `undefined` when the table does not know it. */
  lookup(code: string): Coordinates | undefined;
  /** The codes the table knows, for error messages and docs. */
  codes?(): readonly string[];
}
