import { describe, expect, it } from 'vitest';
import { scanSql } from '../../../src/testing/libsql/sql-text-scanner.js';
import { statementNeedsPrimary } from '../../../src/testing/libsql/statement-needs-primary.js';
import { decodeGuardedValue, utf8SafeSql } from '../../../src/testing/libsql/utf8-safe-rows.js';

describe('scanSql statement shape', () => {
  it('finds the main verb after WITH, outside parentheses', () => {
    expect(scanSql('with x as (select 1) insert into t select * from x').verb).toBe('INSERT');
    expect(scanSql('WITH RECURSIVE r(n) AS (VALUES (1)) SELECT n FROM r').verb).toBe('SELECT');
    expect(scanSql('create table t as select 1').verb).toBe('CREATE');
    expect(scanSql('  -- c\n replace into t values (1)').verb).toBe('REPLACE');
  });

  it('knows where the first statement ends and where RETURNING is', () => {
    const sql = "select ';' as x -- note\n;  ";
    expect(sql.slice(0, scanSql(sql).firstStatementEnd)).toBe("select ';' as x");
    const returning = "insert into t values ('returning') returning id";
    expect(scanSql(returning).returningOffset).toBe(returning.lastIndexOf('returning'));
    expect(scanSql('select (select 1 returning) from t').returningOffset).toBeUndefined();
  });
});

describe('utf8SafeSql', () => {
  it('wraps SELECT and VALUES readers, keeping their text and parameters', () => {
    const sql = 'select s, ? from t -- tail';
    const wrapped = utf8SafeSql(sql, scanSql(sql), [{ column: 's' }, { column: null }]);
    expect(wrapped?.sql).toContain('AS MATERIALIZED (\nselect s, ? from t\n)');
    expect(wrapped?.guarded).toEqual([true, true]);
    expect(scanSql(wrapped?.sql ?? '').parameters).toHaveLength(1);
    expect(utf8SafeSql('values (1)', scanSql('values (1)'), [{ column: null }])).toBeDefined();
  });

  it('rewrites RETURNING lists item by item, expanding * and keeping per-row functions unwrapped', () => {
    const sql = 'insert into t (a, s) values (?, \'x, y\') returning *, upper(s) as "u", random()';
    const columns = [{ column: 'a' }, { column: 's' }, { column: null }, { column: null }];
    const guarded = utf8SafeSql(sql, scanSql(sql), columns);
    expect(guarded?.guarded).toEqual([true, true, true, false]);
    expect(guarded?.sql).toContain('FROM (SELECT "a" AS v)');
    expect(guarded?.sql).toContain('FROM (SELECT upper(s) AS v)');
    expect(guarded?.sql).toMatch(/, random\(\)$/);
    expect(scanSql(guarded?.sql ?? '').parameters).toHaveLength(1);
  });

  it('leaves statements alone that it cannot guard', () => {
    for (const sql of ['explain select 1', 'pragma table_list']) {
      expect(utf8SafeSql(sql, scanSql(sql), [{ column: null }])).toBeUndefined();
    }
    // The column count does not match the RETURNING list: do not guess.
    const mismatch = 'delete from t returning a, b';
    expect(utf8SafeSql(mismatch, scanSql(mismatch), [{ column: 'a' }])).toBeUndefined();
  });

  it('decodes guarded values and rejects text that is not UTF-8', () => {
    expect(decodeGuardedValue(`T${Buffer.from('héllo').toString('hex')}`, 0)).toBe('héllo');
    expect(decodeGuardedValue(`T${Buffer.from('\uFEFFbom').toString('hex')}`, 0)).toBe('\uFEFFbom');
    expect(decodeGuardedValue('B00FF', 0)).toEqual(Buffer.from([0, 255]));
    expect(decodeGuardedValue(7n, 0)).toBe(7n);
    expect(() => decodeGuardedValue('TDEADBEEF', 3)).toThrow(/column 3 .* not valid UTF-8/);
    expect(() => decodeGuardedValue('TEDA080', 0)).toThrow(/not valid UTF-8/);
  });
});

describe('statementNeedsPrimary', () => {
  it.each([
    ['insert into t values (1)', true],
    ['with x as (select 1) delete from t', true],
    ['create table t (x)', true],
    ['begin immediate', true],
    ['BEGIN', true],
    ['savepoint s', true],
    ['BEGIN TRANSACTION READONLY', false],
    ['select * from t', false],
    ['with x as (select 1) select * from x', false],
    ['explain insert into t values (1)', false],
    ['pragma table_info(t)', false],
    ['commit', false],
    ['', false],
  ] as const)('%s -> %s', (sql, expected) => {
    expect(statementNeedsPrimary(sql)).toBe(expected);
  });
});
