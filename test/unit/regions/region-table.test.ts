import { describe, expect, it } from 'vitest';
import type { Coordinates } from '../../../src/drivers/region-spec.js';
import { EdgeDbError } from '../../../src/errors/edge-db-error.js';
import { knownRegionCodes, lookupRegion, regions } from '../../../src/regions/region-table.js';
import { greatCircleKm } from '../../../src/router/select/location/great-circle-km.js';
import { resolveRegion } from '../../../src/router/select/location/resolve-region.js';

// Independent reference points (city centres) to check the table against.
const CITIES: Record<string, Coordinates> = {
  ashburn: { latitude: 39.04, longitude: -77.49 },
  frankfurt: { latitude: 50.1109, longitude: 8.6821 },
  dublin: { latitude: 53.3498, longitude: -6.2603 },
  amsterdam: { latitude: 52.3676, longitude: 4.9041 },
  tokyo: { latitude: 35.6762, longitude: 139.6503 },
  sydney: { latitude: -33.8688, longitude: 151.2093 },
  saoPaulo: { latitude: -23.5505, longitude: -46.6333 },
  singapore: { latitude: 1.3521, longitude: 103.8198 },
  councilBluffs: { latitude: 41.2619, longitude: -95.8608 },
};

describe('region table', () => {
  it.each([
    ['us-east-1', 'ashburn'],
    ['aws-us-east-1', 'ashburn'],
    ['us-east4', 'ashburn'],
    ['iad', 'ashburn'],
    ['iad1', 'ashburn'],
    ['eu-central-1', 'frankfurt'],
    ['aws-eu-central-1', 'frankfurt'],
    ['gcp-europe-west3', 'frankfurt'],
    ['germanywestcentral', 'frankfurt'],
    ['azure-gwc', 'frankfurt'],
    ['FRA1', 'frankfurt'],
    [' fra ', 'frankfurt'],
    ['eu-west-1', 'dublin'],
    ['northeurope', 'dublin'],
    ['westeurope', 'amsterdam'],
    ['West Europe', 'amsterdam'],
    ['ams', 'amsterdam'],
    ['ap-northeast-1', 'tokyo'],
    ['hnd1', 'tokyo'],
    ['NRT', 'tokyo'],
    ['ap-southeast-2', 'sydney'],
    ['syd1', 'sydney'],
    ['sa-east-1', 'saoPaulo'],
    ['gru1', 'saoPaulo'],
    ['ap-southeast-1', 'singapore'],
    ['sin', 'singapore'],
    ['us-central1', 'councilBluffs'],
  ])('%s is near %s', (code, city) => {
    const coordinates = lookupRegion(code);
    expect(coordinates).toBeDefined();
    expect(greatCircleKm(coordinates!, CITIES[city]!)).toBeLessThan(60);
  });

  it('knows Neon and Turso style prefixed regions', () => {
    for (const code of [
      'aws-us-east-2',
      'aws-us-west-2',
      'aws-eu-west-2',
      'aws-ap-southeast-1',
      'azure-eastus2',
      'azure-westus3',
    ]) {
      expect(lookupRegion(code), code).toBeDefined();
    }
  });

  it('answers undefined for unknown codes', () => {
    expect(lookupRegion('atlantis')).toBeUndefined();
    expect(lookupRegion('aws-')).toBeUndefined();
    expect(lookupRegion('zzz1')).toBeUndefined();
    expect(lookupRegion('')).toBeUndefined();
  });

  it('stays small, unique and in range', () => {
    const codes = knownRegionCodes();
    expect(codes.length).toBeGreaterThan(200);
    expect(codes.length).toBeLessThan(600);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      const { latitude, longitude } = lookupRegion(code)!;
      expect(Math.abs(latitude), code).toBeLessThanOrEqual(90);
      expect(Math.abs(longitude), code).toBeLessThanOrEqual(180);
    }
  });
});

describe('resolveRegion', () => {
  it('resolves codes and passes valid coordinates through', () => {
    expect(resolveRegion('fra1', regions)).toEqual(lookupRegion('eu-central-1'));
    expect(resolveRegion({ latitude: -41.29, longitude: 174.78 })).toEqual({
      latitude: -41.29,
      longitude: 174.78,
    });
  });

  it('rejects unknown codes with CONFIG_INVALID and says how to fix it', () => {
    let caught: unknown;
    try {
      resolveRegion('mars-north-1', regions);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EdgeDbError);
    expect((caught as EdgeDbError).code).toBe('CONFIG_INVALID');
    expect((caught as EdgeDbError).message).toMatch(/^edge-db: unknown region "mars-north-1"/);
    expect((caught as EdgeDbError).message).toContain('{ latitude:');
  });

  it('rejects out-of-range coordinates', () => {
    expect(() => resolveRegion({ latitude: 95, longitude: 0 })).toThrow(/invalid coordinates/);
    expect(() => resolveRegion({ latitude: Number.NaN, longitude: 0 })).toThrow(EdgeDbError);
  });
});

describe('resolveRegion without a table', () => {
  it('refuses a code with CONFIG_INVALID that says what to import, and takes coordinates', () => {
    expect(() => resolveRegion('fra1')).toThrow(/import \{ regions \} from 'edge-db\/regions'/);
    expect(resolveRegion({ latitude: 50.11, longitude: 8.68 })).toEqual({ latitude: 50.11, longitude: 8.68 });
  });

  it('uses a table of your own', () => {
    const mine = { lookup: (code: string) => (code === 'home' ? { latitude: 1, longitude: 2 } : undefined) };
    expect(resolveRegion('home', mine)).toEqual({ latitude: 1, longitude: 2 });
    expect(() => resolveRegion('fra1', mine)).toThrow(/unknown region/);
  });
});
