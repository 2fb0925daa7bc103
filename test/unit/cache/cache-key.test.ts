import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cacheKey, cacheKeyPrefix, cacheKeyWith } from '../../../src/cache/cache-key.js';
import { EdgeDbError } from '../../../src/errors/edge-db-error.js';

const base = { family: 'postgres', sql: 'select $1', clusterKey: 'main' } as const;
const keyOf = (...parameters: unknown[]) => cacheKey({ ...base, parameters });

describe('cacheKey', () => {
  it('keeps values that print alike distinct', () => {
    const values: unknown[] = [
      1,
      '1',
      1n,
      true,
      'true',
      null,
      undefined,
      'null',
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -0,
      new Date(0),
      new Date(0).toISOString(),
      new Date(Number.NaN),
      new Uint8Array([1, 2]),
      [1, 2],
      '0102',
      ['x', '0102'],
      { a: 1 },
      { a: '1' },
      { a: 1n },
      { a: null },
      { a: undefined },
      {},
      [],
      [[]],
      [null],
      ['b', '1'],
      ['u'],
      [{ a: 1 }],
      JSON.stringify({ a: 1 }),
    ];
    const keys = values.map((value) => keyOf(value));
    expect(new Set(keys).size).toBe(values.length);
  });

  it('is stable for equal inputs', () => {
    const make = () => [
      1n,
      new Date(5),
      new Uint8Array([9]),
      { nested: { list: [1, 'a', null] } },
      undefined,
    ];
    expect(keyOf(...make())).toBe(keyOf(...make()));
  });

  it('treats a Buffer like the same bytes in a Uint8Array', () => {
    expect(keyOf(Buffer.from([1, 2, 3]))).toBe(keyOf(new Uint8Array([1, 2, 3])));
    expect(keyOf(new Uint8Array([1, 2, 3]).subarray(1))).toBe(keyOf(new Uint8Array([2, 3])));
  });

  it('separates parameter positions, SQL, family, cluster and search path', () => {
    const keys = [
      keyOf('a', 'b'),
      keyOf('a,b'),
      keyOf(['a', 'b']),
      cacheKey({ ...base, sql: 'select $1 ', parameters: ['a', 'b'] }),
      cacheKey({ ...base, family: 'libsql', parameters: ['a', 'b'] }),
      cacheKey({ ...base, clusterKey: 'other', parameters: ['a', 'b'] }),
      cacheKey({ ...base, searchPath: 'tenant_1', parameters: ['a', 'b'] }),
      cacheKey({ ...base, searchPath: ['tenant_1', 'public'], parameters: ['a', 'b'] }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(cacheKey({ ...base, searchPath: 'x', parameters: [] })).toBe(
      cacheKey({ ...base, searchPath: ['x'], parameters: [] }),
    );
  });

  it('refuses parameters that cannot be database values', () => {
    expect(() => keyOf(() => 1)).toThrow(EdgeDbError);
    expect(() => keyOf(Symbol('s'))).toThrow(
      'edge-db: cannot build a cache key for a query parameter of type symbol; run this query without the cache',
    );
  });

  it('builds the same key from a prefix, writing plain parameters out as JSON would', () => {
    const plain = fc.oneof(
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
    );
    // The key of plain parameters is the one JSON text of everything (as cacheKey built it before prefixes).
    fc.assert(
      fc.property(fc.array(plain, { maxLength: 6 }), (parameters) => {
        if (parameters.some((value) => Object.is(value, -0))) return;
        expect(cacheKeyWith(cacheKeyPrefix(base), parameters)).toBe(
          JSON.stringify([1, base.family, base.clusterKey, [], base.sql, parameters]),
        );
      }),
    );
    // -0 and 0 stay apart, as before.
    expect(cacheKeyWith('p', [-0])).not.toBe(cacheKeyWith('p', [0]));
  });
});
