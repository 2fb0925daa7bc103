import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyResult } from '../../../src/cache/copy-result.js';
import { resultSize, valueSize } from '../../../src/cache/result-size.js';

describe('resultSize', () => {
  it('grows with rows, string length, blob length, bigint magnitude and nesting', () => {
    expect(resultSize({ rows: [{ a: 1 }, { a: 1 }] })).toBeGreaterThan(resultSize({ rows: [{ a: 1 }] }));
    expect(valueSize('x'.repeat(100))).toBeGreaterThan(valueSize('x'.repeat(99)));
    expect(valueSize(new Uint8Array(1_000))).toBeGreaterThanOrEqual(1_000);
    expect(valueSize(2n ** 200n)).toBeGreaterThan(valueSize(1n));
    expect(valueSize(new Date())).toBeGreaterThan(0);
    expect(valueSize({ a: { b: [1, 2, 3] } })).toBeGreaterThan(valueSize({ a: { b: [1, 2] } }));
    expect(valueSize(new Map([['k', 'v']]))).toBeGreaterThan(valueSize(new Map()));
  });

  it('is monotone: appending a row never lowers the estimate', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.jsonValue(), (rows, extra) => {
        expect(resultSize({ rows: [...rows, extra] })).toBeGreaterThan(resultSize({ rows }));
      }),
    );
  });

  it('returns a positive integer for any row', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.anything({
            withBigInt: true,
            withDate: true,
            withTypedArray: true,
            withMap: true,
            withSet: true,
          }),
        ),
        (rows) => {
          const size = resultSize({ rows });
          expect(Number.isInteger(size) && size > 0).toBe(true);
        },
      ),
    );
  });
});

describe('copyResult', () => {
  it('copies deeply and keeps value types', () => {
    class Interval {
      constructor(public hours: number) {}
    }
    const original = {
      rows: [
        {
          at: new Date(7),
          blob: Buffer.from([1, 2]),
          bytes: new Uint8Array([3]),
          big: 5n,
          json: { list: [1, { x: 'y' }] },
          interval: new Interval(2),
          nothing: null,
        },
      ],
      numAffectedRows: 1n,
    };
    const copy = copyResult(original);
    expect(copy).toEqual(original);
    const row = copy.rows[0]!;
    expect(row).not.toBe(original.rows[0]);
    expect(row.at).not.toBe(original.rows[0]!.at);
    expect(Buffer.isBuffer(row.blob)).toBe(true);
    expect(row.blob).not.toBe(original.rows[0]!.blob);
    expect(row.interval).toBeInstanceOf(Interval);
    row.json.list.push(3);
    row.blob[0] = 9;
    row.bytes[0] = 9;
    expect(original.rows[0]!.json.list).toEqual([1, { x: 'y' }]);
    expect(original.rows[0]!.blob[0]).toBe(1);
    expect(original.rows[0]!.bytes[0]).toBe(3);
  });
});
