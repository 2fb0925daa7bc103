import { describe, expect, it } from 'vitest';
import { HranaError, toHranaErrorBody } from '../../../src/testing/libsql/hrana-error.js';
import { decodeHranaValue, encodeHranaValue } from '../../../src/testing/libsql/hrana-value-codec.js';
import { scanSql } from '../../../src/testing/libsql/sql-text-scanner.js';

describe('hrana value codec', () => {
  it('keeps 64-bit integers exact both ways', () => {
    const big = 2n ** 63n - 1n;
    expect(decodeHranaValue({ type: 'integer', value: big.toString() })).toBe(big);
    expect(encodeHranaValue(-(2n ** 63n))).toEqual({ type: 'integer', value: '-9223372036854775808' });
  });

  it('rejects integers outside 64 bits and non-decimal text', () => {
    expect(() => decodeHranaValue({ type: 'integer', value: (2n ** 63n).toString() })).toThrow(HranaError);
    expect(() => decodeHranaValue({ type: 'integer', value: '1.5' })).toThrow(/not a decimal integer/);
  });

  it('maps floats, text, blobs and null', () => {
    expect(decodeHranaValue({ type: 'float', value: 1 })).toBe(1);
    expect(encodeHranaValue(1)).toEqual({ type: 'float', value: 1 });
    expect(encodeHranaValue('é')).toEqual({ type: 'text', value: 'é' });
    const blob = decodeHranaValue({ type: 'blob', base64: 'AQID' });
    expect([...(blob as Uint8Array)]).toEqual([1, 2, 3]);
    expect(encodeHranaValue(Buffer.from([1, 2, 3]))).toEqual({ type: 'blob', base64: 'AQID' });
    expect(encodeHranaValue(null)).toEqual({ type: 'null' });
    expect(decodeHranaValue({ type: 'null' })).toBeNull();
  });
});

describe('scanSql', () => {
  it('numbers parameters like SQLite', () => {
    expect(scanSql('SELECT ?, :a, ?5, :a, @b').parameters).toEqual([
      { index: 1, name: null },
      { index: 2, name: ':a' },
      { index: 3, name: null },
      { index: 4, name: null },
      { index: 5, name: '?5' },
      { index: 6, name: '@b' },
    ]);
  });

  it('ignores parameters inside strings, identifiers and comments', () => {
    const scanned = scanSql(`SELECT ':x', "?", [@y], \`$z\` -- :c\n /* ? */ FROM t WHERE a = $v`);
    expect(scanned.parameters).toEqual([{ index: 1, name: '$v' }]);
  });

  it('detects empty texts, several statements and EXPLAIN', () => {
    expect(scanSql(' -- nothing\n ; ').isEmpty).toBe(true);
    expect(scanSql('SELECT 1;').hasMoreStatements).toBe(false);
    expect(scanSql("SELECT ';'; SELECT 2").hasMoreStatements).toBe(true);
    expect(scanSql('explain select 1').isExplain).toBe(true);
    expect(scanSql('select 1').isExplain).toBe(false);
  });
});

describe('toHranaErrorBody', () => {
  it('reports engine errors with the primary SQLite code, like sqld', () => {
    const engineError = Object.assign(new Error('UNIQUE constraint failed: t.id'), {
      code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
    });
    expect(toHranaErrorBody(engineError)).toEqual({
      message: 'SQLite error: UNIQUE constraint failed: t.id',
      code: 'SQLITE_CONSTRAINT',
    });
    expect(toHranaErrorBody(new HranaError('READONLY', 'no'))).toEqual({ message: 'no', code: 'READONLY' });
  });
});
