import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from '../../../src/consistency/postgres-lsn.js';
import { isEdgeDbError } from '../../../src/errors/edge-db-error.js';

describe('parseLsn', () => {
  it('combines the two halves as (hi << 32) | lo', () => {
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('0/3000148')).toBe(0x3000148n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
    expect(parseLsn('16/b374d848')).toBe(parseLsn('16/B374D848'));
    expect(parseLsn('FFFFFFFF/FFFFFFFF')).toBe(2n ** 64n - 1n);
  });

  it('orders positions across the 32-bit boundary', () => {
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(parseLsn('0/10') > parseLsn('0/F')).toBe(true);
  });

  it.each([
    '',
    '0',
    '0/',
    '/0',
    '0/0/0',
    '1 /2',
    '0x1/2',
    'G/0',
    '123456789/0',
    '0/123456789',
    '-1/0',
    ' 0/0',
  ])('rejects %j with TOKEN_MALFORMED', (text) => {
    let caught: unknown;
    try {
      parseLsn(text);
    } catch (error) {
      caught = error;
    }
    expect(isEdgeDbError(caught, 'TOKEN_MALFORMED')).toBe(true);
    expect(String(caught)).toMatch(/is not a PostgreSQL LSN/);
  });
});

describe('formatLsn', () => {
  it('prints like PostgreSQL: upper-case hex, no padding', () => {
    expect(formatLsn(0n)).toBe('0/0');
    expect(formatLsn(0x3000148n)).toBe('0/3000148');
    expect(formatLsn((0x16n << 32n) | 0xb374d848n)).toBe('16/B374D848');
    expect(formatLsn(1n << 32n)).toBe('1/0');
  });

  it('rejects values outside 0 .. 2^64 - 1', () => {
    expect(() => formatLsn(-1n)).toThrow(/2\^64 - 1/);
    expect(() => formatLsn(2n ** 64n)).toThrow(/2\^64 - 1/);
  });

  it('round-trips with parseLsn for every 64-bit value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (position) => {
        expect(parseLsn(formatLsn(position))).toBe(position);
      }),
    );
  });

  it('keeps order: a < b exactly when parse(format(a)) < parse(format(b))', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (a, b) => {
          expect(parseLsn(formatLsn(a)) < parseLsn(formatLsn(b))).toBe(a < b);
        },
      ),
    );
  });
});
