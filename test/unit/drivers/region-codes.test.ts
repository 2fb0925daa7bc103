import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { regionCodesSource } from '../../../scripts/generate-region-codes.js';
import type { RegionSpec } from '../../../src/drivers/region-spec.js';
import { lookupRegion } from '../../../src/regions/index.js';

describe('region codes as a type', () => {
  it('is generated from the region table (run scripts/generate-region-codes.ts after changing it)', () => {
    const onDisk = readFileSync(new URL('../../../src/drivers/region-codes.ts', import.meta.url), 'utf8');
    expect(onDisk).toBe(regionCodesSource());
  });

  it('lists only codes the table resolves', () => {
    const codes = [...regionCodesSource().matchAll(/\| '([^']+)'/g)].map((match) => match[1]!);
    expect(codes.length).toBeGreaterThan(100);
    expect(codes.filter((code) => lookupRegion(code) === undefined)).toEqual([]);
  });

  it('completes known codes and keeps any string and coordinates valid', () => {
    expectTypeOf<'aws-us-east-1'>().toMatchTypeOf<RegionSpec>();
    expectTypeOf<'fra'>().toMatchTypeOf<RegionSpec>();
    expectTypeOf<string>().toMatchTypeOf<RegionSpec>();
    expectTypeOf<{ latitude: number; longitude: number }>().toMatchTypeOf<RegionSpec>();
    expectTypeOf<number>().not.toMatchTypeOf<RegionSpec>();
  });
});
