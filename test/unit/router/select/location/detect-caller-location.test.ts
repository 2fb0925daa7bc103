import { describe, expect, it } from 'vitest';
import { isEdgeDbError } from '../../../../../src/errors/edge-db-error.js';
import { regions } from '../../../../../src/regions/index.js';
import { detectCallerLocation } from '../../../../../src/router/select/location/detect-caller-location.js';
import { greatCircleKm } from '../../../../../src/router/select/location/great-circle-km.js';
import { parseCoordinates } from '../../../../../src/router/select/location/parse-coordinates.js';

const FRANKFURT = { latitude: 50.11, longitude: 8.68 };
const VIRGINIA = { latitude: 38.95, longitude: -77.45 };

function workerRequest(cf: Record<string, unknown>): Request {
  const request = new Request('https://example.com/');
  Object.defineProperty(request, 'cf', { value: cf });
  return request;
}

function vercelRequest(headers: Record<string, string>): Request {
  return new Request('https://example.com/', { headers });
}

function near(a: { latitude: number; longitude: number } | undefined, b: typeof FRANKFURT, km = 50): boolean {
  return a !== undefined && greatCircleKm(a, b) < km;
}

describe('detectCallerLocation', () => {
  it('uses explicit config first, as a code or as coordinates', () => {
    const request = workerRequest({ colo: 'IAD' });
    expect(detectCallerLocation({ regions, request, explicit: 'fra1' })?.source).toBe('explicit');
    expect(near(detectCallerLocation({ regions, request, explicit: 'fra1' })?.coordinates, FRANKFURT)).toBe(
      true,
    );
    expect(detectCallerLocation({ regions, explicit: { latitude: 1.5, longitude: 2.5 } })).toEqual({
      coordinates: { latitude: 1.5, longitude: 2.5 },
      source: 'explicit',
    });
  });

  it('throws CONFIG_INVALID for an unknown explicit code instead of guessing', () => {
    let caught: unknown;
    try {
      detectCallerLocation({ regions, explicit: 'narnia-1' });
    } catch (error) {
      caught = error;
    }
    expect(isEdgeDbError(caught, 'CONFIG_INVALID')).toBe(true);
  });

  it("reads a Worker's colo, then its request coordinates", () => {
    const byColo = detectCallerLocation({
      regions,
      request: workerRequest({ colo: 'FRA', latitude: '38.9', longitude: '-77.4' }),
    });
    expect(byColo?.source).toBe('cf.colo');
    expect(near(byColo?.coordinates, FRANKFURT)).toBe(true);

    const byCoordinates = detectCallerLocation({
      regions,
      request: workerRequest({ colo: 'XZZ', latitude: '50.1109', longitude: '8.6821' }),
    });
    expect(byCoordinates).toEqual({
      coordinates: { latitude: 50.1109, longitude: 8.6821 },
      source: 'cf.coordinates',
    });
  });

  it('never trusts garbage coordinates', () => {
    for (const [latitude, longitude] of [
      ['NaN', '8.68'],
      ['', ''],
      ['91', '8'],
      ['50', '181'],
      ['1e2', '8'],
      ['50.1 ', 'Infinity'],
      ['0', '0'],
      [null, '8'],
    ]) {
      expect(
        detectCallerLocation({ regions, request: workerRequest({ latitude, longitude }) }),
      ).toBeUndefined();
    }
    expect(parseCoordinates(' -33.87 ', '151.21')).toEqual({ latitude: -33.87, longitude: 151.21 });
    expect(parseCoordinates(Number.NaN, 1)).toBeUndefined();
  });

  it("reads the executing region from Vercel's x-vercel-id", () => {
    const location = detectCallerLocation({
      regions,
      request: vercelRequest({ 'x-vercel-id': 'fra1::iad1::abcd1-1700000000000-0123' }),
    });
    expect(location?.source).toBe('x-vercel-id');
    expect(near(location?.coordinates, VIRGINIA)).toBe(true);
    const edgeOnly = detectCallerLocation({
      regions,
      request: vercelRequest({ 'x-vercel-id': 'fra1::abcd1-1700000000000' }),
    });
    expect(near(edgeOnly?.coordinates, FRANKFURT)).toBe(true);
  });

  it('falls through garbage Vercel ids to VERCEL_REGION, then the client coordinates', () => {
    const request = vercelRequest({
      'x-vercel-id': 'garbage::zzz9::',
      'x-vercel-ip-latitude': '50.11',
      'x-vercel-ip-longitude': '8.68',
    });
    expect(detectCallerLocation({ regions, request, env: { VERCEL_REGION: 'iad1' } })?.source).toBe(
      'env.VERCEL_REGION',
    );
    expect(detectCallerLocation({ regions, request })).toEqual({
      coordinates: FRANKFURT,
      source: 'x-vercel-ip',
    });
  });

  it('reads FLY_REGION, DENO_REGION and AWS_REGION in that order', () => {
    expect(
      detectCallerLocation({ regions, env: { FLY_REGION: 'ams', AWS_REGION: 'us-east-1' } })?.source,
    ).toBe('env.FLY_REGION');
    const deno = detectCallerLocation({
      regions,
      env: { DENO_REGION: 'gcp-europe-west3', AWS_REGION: 'us-east-1' },
    });
    expect(deno?.source).toBe('env.DENO_REGION');
    expect(near(deno?.coordinates, FRANKFURT)).toBe(true);
    const aws = detectCallerLocation({ regions, env: { AWS_REGION: 'us-east-1' } });
    expect(aws?.source).toBe('env.AWS_REGION');
    expect(near(aws?.coordinates, VIRGINIA)).toBe(true);
  });

  it('skips unknown codes from the platform and answers undefined when nothing is known', () => {
    expect(
      detectCallerLocation({ regions, env: { FLY_REGION: 'xyz', AWS_REGION: 'eu-central-1' } })?.source,
    ).toBe('env.AWS_REGION');
    expect(
      detectCallerLocation({ regions, request: new Request('https://example.com/'), env: {} }),
    ).toBeUndefined();
    expect(detectCallerLocation({ regions })).toBeUndefined();
  });
});

describe('detectCallerLocation without the region table', () => {
  it('skips the codes platforms report and uses their coordinates', () => {
    const request = workerRequest({ colo: 'FRA', latitude: '50.11', longitude: '8.68' });
    expect(detectCallerLocation({ request, env: { FLY_REGION: 'ams' } })).toEqual({
      coordinates: { latitude: 50.11, longitude: 8.68 },
      source: 'cf.coordinates',
    });
    expect(detectCallerLocation({ env: { FLY_REGION: 'ams', AWS_REGION: 'us-east-1' } })).toBeUndefined();
  });

  it('refuses an explicit code with CONFIG_INVALID that names edge-db/regions', () => {
    expect(() => detectCallerLocation({ explicit: 'fra1' })).toThrow(/edge-db\/regions/);
  });
});
