import { describe, expect, it } from 'vitest';
import { sqlReadings, tokenizeSql } from '../../../src/sql/tokenize-sql.js';

const words = (text: string, dialect: 'postgres' | 'sqlite') =>
  tokenizeSql(text, dialect)
    .filter((token) => token.type === 'word' || token.type === 'quoted')
    .map((token) => token.value);

describe('tokenizeSql', () => {
  it('ends a line comment at \\r for PostgreSQL and only at \\n for SQLite', () => {
    expect(words('select a -- c\rfrom t', 'postgres')).toEqual(['select', 'a', 'from', 't']);
    expect(words('select a -- c\rfrom t', 'sqlite')).toEqual(['select', 'a']);
    expect(words('select a -- c\r\nfrom t', 'sqlite')).toEqual(['select', 'a', 'from', 't']);
  });

  it('nests block comments for PostgreSQL only', () => {
    expect(words('/* a /* b */ c */ select 1', 'postgres')).toEqual(['select']);
    expect(words('/* a /* b */ c */ select 1', 'sqlite')).toEqual(['c', 'select']);
  });

  it('decodes U& names and strings, with UESCAPE', () => {
    expect(tokenizeSql(String.raw`select U&"\006Eextval"(1)`)).toContainEqual({
      type: 'quoted',
      value: 'nextval',
    });
    expect(tokenizeSql(String.raw`select U&"d\0061t\+000061"`)).toContainEqual({
      type: 'quoted',
      value: 'data',
    });
    const escaped = tokenizeSql(`select U&"!006Eextval" UESCAPE '!'(1)`);
    expect(escaped.slice(1, 3)).toEqual([
      { type: 'quoted', value: 'nextval' },
      { type: 'punct', value: '(' },
    ]);
    expect(tokenizeSql(String.raw`select U&'\0069nsert'`)).toContainEqual({
      type: 'string',
      value: 'insert',
    });
    // `u & "x"` with spaces is the & operator and a plain quoted name
    expect(words('select u & "x"', 'postgres')).toEqual(['select', 'u', 'x']);
  });

  it('ends a number before letters, as PostgreSQL 14 reads `1for update`', () => {
    expect(words('select * from t where id = 1for update', 'postgres')).toEqual([
      'select',
      'from',
      't',
      'where',
      'id',
      'for',
      'update',
    ]);
    expect(tokenizeSql('select 1.5e-3, .5, 2e')).toEqual([
      { type: 'word', value: 'select' },
      { type: 'number', value: '1.5e-3' },
      { type: 'punct', value: ',' },
      { type: 'number', value: '.5' },
      { type: 'punct', value: ',' },
      { type: 'number', value: '2' },
      { type: 'word', value: 'e' },
    ]);
  });

  it('keeps numbers and reads @ as an operator in PostgreSQL', () => {
    expect(tokenizeSql('explain (analyze 0)')).toContainEqual({ type: 'number', value: '0' });
    expect(words('select @nextval(1)', 'postgres')).toEqual(['select', 'nextval']);
    expect(words('select @name, :other', 'sqlite')).toEqual(['select']);
  });

  it('quotes with brackets and backticks in SQLite only', () => {
    expect(tokenizeSql('select [a b]', 'sqlite')).toContainEqual({ type: 'quoted', value: 'a b' });
    expect(tokenizeSql('select `a``b`', 'sqlite')).toContainEqual({ type: 'quoted', value: 'a`b' });
    expect(tokenizeSql('select a[1]', 'postgres')).toContainEqual({ type: 'punct', value: '[' });
  });
});

describe('sqlReadings', () => {
  it('adds the SQLite reading only when the engines would read the text differently', () => {
    expect(sqlReadings('select * from person where id = $1 /* plain */ -- x\n').length).toBe(1);
    expect(sqlReadings("select 'a''b', \"c\" from t").length).toBe(1);
    for (const text of [
      'select 1 -- c\rx',
      '/* a /* b */ */ select 1',
      String.raw`select E'\''`,
      'select $$x$$',
      'select U&"x"',
      'select `x`',
      'select a[1]',
    ]) {
      expect(
        sqlReadings(text).map((reading) => reading.dialect),
        text,
      ).toEqual(['postgres', 'sqlite']);
    }
  });
});
