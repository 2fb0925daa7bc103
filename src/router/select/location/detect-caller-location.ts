import type { Coordinates, RegionSpec, RegionTable } from '../../../drivers/region-spec.js';
import { parseCoordinates } from './parse-coordinates.js';
import { resolveRegion } from './resolve-region.js';

/** Where the caller's location came from, for route events and debugging. */
export type CallerLocationSource =
  | 'explicit'
  | 'cf.colo'
  | 'cf.coordinates'
  | 'x-vercel-id'
  | 'env.VERCEL_REGION'
  | 'x-vercel-ip'
  | 'env.FLY_REGION'
  | 'env.DENO_REGION'
  | 'env.AWS_REGION';

/** Inputs of {@link detectCallerLocation}; every one is optional. */
export interface CallerLocationInput {
  /** The incoming request; Cloudflare's `request.cf` and Vercel's `x-vercel-*` headers are read from it. */
  readonly request?: Request | undefined;
  /** Environment variables (`process.env`, `Deno.env.toObject()`, a Worker's `env`). Never read implicitly. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** A location from configuration. Wins over everything else; an unknown code throws `CONFIG_INVALID`. */
  readonly explicit?: RegionSpec | undefined;
  /**
   * Resolves the codes platforms give (`cf.colo`, Vercel's region, `FLY_REGION`, `AWS_REGION`): `regions` from
   * `edge-db/regions`. Without it only coordinates are used (`request.cf`'s, Vercel's `x-vercel-ip-*`).
   */
  readonly regions?: RegionTable | undefined;
}

/** The detected location of the code that runs the queries. */
export interface CallerLocation {
  readonly coordinates: Coordinates;
  readonly source: CallerLocationSource;
}

const VERCEL_REGION_SEGMENT = /^[a-z]{3}\d$/;

/**
 * Finds where the calling code runs, to pick the nearest replica before latencies are measured.
 *
 * Sources, first usable one wins: `explicit` config; Cloudflare's `request.cf.colo` (the data centre running
 * the Worker); `request.cf.latitude/longitude` (the client, close to its colo); Vercel's `x-vercel-id` (its last
 * region is where the function executes); `VERCEL_REGION`; Vercel's `x-vercel-ip-latitude/longitude` (the
 * client); `FLY_REGION`; `DENO_REGION`; `AWS_REGION`. Where the code runs beats where the user is, because the
 * database round trip starts at the function. Unknown codes and garbage values (empty, NaN, out of range,
 * `0,0`) are skipped, never trusted. Headers are only a routing hint: a spoofed value can make reads slower,
 * never wrong.
 *
 * ### Examples
 * ```ts
 * export default {
 *   fetch(request: Request, env: Record<string, string>) {
 *     const location = detectCallerLocation({ request, env })
 *     // { coordinates: { latitude: 50.11, longitude: 8.68 }, source: 'cf.colo' } on a Frankfurt colo
 *   },
 * }
 * ```
 */
export function detectCallerLocation(input: CallerLocationInput): CallerLocation | undefined {
  if (input.explicit !== undefined) {
    return { coordinates: resolveRegion(input.explicit, input.regions), source: 'explicit' };
  }
  const { request, env } = input;
  const table = input.regions;
  const fromCode = (code: unknown, source: CallerLocationSource): CallerLocation | undefined => {
    if (table === undefined || typeof code !== 'string' || code.length === 0 || code.length > 64)
      return undefined;
    const coordinates = table.lookup(code);
    return coordinates === undefined ? undefined : { coordinates, source };
  };
  const cf = cloudflareProperties(request);
  const headers = request?.headers;
  return (
    fromCode(cf?.colo, 'cf.colo') ??
    fromPair(cf?.latitude, cf?.longitude, 'cf.coordinates') ??
    fromCode(executionRegion(headers?.get('x-vercel-id')), 'x-vercel-id') ??
    fromCode(env?.VERCEL_REGION, 'env.VERCEL_REGION') ??
    fromPair(headers?.get('x-vercel-ip-latitude'), headers?.get('x-vercel-ip-longitude'), 'x-vercel-ip') ??
    fromCode(env?.FLY_REGION, 'env.FLY_REGION') ??
    fromCode(env?.DENO_REGION, 'env.DENO_REGION') ??
    fromCode(env?.AWS_REGION, 'env.AWS_REGION')
  );
}

function cloudflareProperties(request: Request | undefined): Record<string, unknown> | undefined {
  const cf: unknown = (request as { cf?: unknown } | undefined)?.cf;
  return typeof cf === 'object' && cf !== null ? (cf as Record<string, unknown>) : undefined;
}

// `x-vercel-id` lists the regions a request passed and ends with the executing one: `cdg1::iad1::abc-123`.
function executionRegion(vercelId: string | null | undefined): string | undefined {
  if (!vercelId) return undefined;
  const regions = vercelId.split(':').filter((segment) => VERCEL_REGION_SEGMENT.test(segment));
  return regions[regions.length - 1];
}

function fromPair(
  latitude: unknown,
  longitude: unknown,
  source: CallerLocationSource,
): CallerLocation | undefined {
  const coordinates = parseCoordinates(latitude, longitude);
  return coordinates === undefined ? undefined : { coordinates, source };
}
