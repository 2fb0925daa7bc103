// edge-db/regions: the region-code table (cloud regions, Fly.io, Vercel, IATA codes of edge locations), kept out
// of the core entry so that apps that place no node on a map do not ship it. Stateless but for its parsed table.
export type { Coordinates, RegionTable } from '../drivers/region-spec.js';
export { knownRegionCodes, lookupRegion, regions } from './region-table.js';
