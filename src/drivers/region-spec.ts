/** A point on Earth in decimal degrees. */
export interface Coordinates {
  readonly latitude: number;
  readonly longitude: number;
}

/**
 * Where a node or a caller is: a region code (`'aws-us-east-1'`, `'iad'`, `'fra1'`, `'eu-central-1'`, ...)
 * or explicit coordinates.
 */
export type RegionSpec = string | Coordinates;
