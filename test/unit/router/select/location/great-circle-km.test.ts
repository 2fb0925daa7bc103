import { describe, expect, it } from 'vitest';
import type { Coordinates } from '../../../../../src/drivers/region-spec.js';
import { lookupRegion } from '../../../../../src/regions/region-table.js';
import { estimateRttMs } from '../../../../../src/router/select/location/estimate-rtt-ms.js';
import { greatCircleKm } from '../../../../../src/router/select/location/great-circle-km.js';

const LONDON = { latitude: 51.5074, longitude: -0.1278 };
const PARIS = { latitude: 48.8566, longitude: 2.3522 };
const NEW_YORK = { latitude: 40.7128, longitude: -74.006 };
const LOS_ANGELES = { latitude: 34.0522, longitude: -118.2437 };
const SYDNEY = { latitude: -33.8688, longitude: 151.2093 };
const MELBOURNE = { latitude: -37.8136, longitude: 144.9631 };

function within(actual: number, expected: number, share: number): void {
  expect(Math.abs(actual - expected) / expected).toBeLessThan(share);
}

describe('greatCircleKm', () => {
  it.each([
    ['London-Paris', LONDON, PARIS, 344],
    ['New York-Los Angeles', NEW_YORK, LOS_ANGELES, 3936],
    ['Sydney-Melbourne', SYDNEY, MELBOURNE, 714],
    ['London-New York', LONDON, NEW_YORK, 5570],
  ] as const)('%s matches the published distance within 2 %%', (_name, a, b, km) => {
    within(greatCircleKm(a, b), km, 0.02);
  });

  it('is symmetric, zero for one point and half the circumference for antipodes', () => {
    expect(greatCircleKm(LONDON, PARIS)).toBeCloseTo(greatCircleKm(PARIS, LONDON), 9);
    expect(greatCircleKm(SYDNEY, SYDNEY)).toBe(0);
    const antipode: Coordinates = { latitude: -LONDON.latitude, longitude: LONDON.longitude + 180 };
    within(greatCircleKm(LONDON, antipode), Math.PI * 6371, 0.001);
  });
});

describe('estimateRttMs', () => {
  it('grows with distance from a fixed base', () => {
    expect(estimateRttMs(0)).toBe(2);
    expect(estimateRttMs(1000)).toBeGreaterThan(estimateRttMs(100));
    expect(estimateRttMs(-5)).toBe(2);
    expect(estimateRttMs(1000, { routeFactor: 1, baseMs: 0 })).toBe(10);
  });

  it('puts Frankfurt-Virginia in the range seen on real networks (80-110 ms)', () => {
    const rtt = estimateRttMs(greatCircleKm(lookupRegion('fra')!, lookupRegion('iad')!));
    expect(rtt).toBeGreaterThan(80);
    expect(rtt).toBeLessThan(110);
  });
});
