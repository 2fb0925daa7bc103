import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { classifyQuery } from '../../../src/sql/classify-query.js';
import { classifySql } from '../../../src/sql/classify-sql.js';
import { compilingKysely } from '../../support/sql-corpus/index.js';

/**
 * Cases found by the differential test against PostgreSQL (test/integration/sql): each text below was
 * refused by PostgreSQL on a standby while edge-db sent it to a replica, or accepted read-only while edge-db
 * sent it to the primary for a reason that does not hold.
 */
describe('classifySql reads the text as the engines read it', () => {
  const misroutes: [string, string][] = [
    // PostgreSQL ends a `--` comment at \r as well as \n
    ['cr comment then FOR UPDATE', 'select * from person -- note\rfor update'],
    ['cr comment then nextval', "select 1 -- note\r, nextval('person_seq')"],
    ['cr comment then a statement', 'select 1; -- note\rdelete from toy where id = 9'],
    [
      'cr comment inside a CTE list',
      'with r as (select 1) -- note\r, u as (update person set age = 4 returning id) select * from u',
    ],
    [
      'cr comment before EXPLAIN ANALYZE',
      'explain -- note\ranalyze insert into audit_log (message) values ($$e$$)',
    ],
    // U&"..." names are decoded, with or without UESCAPE
    ['unicode name', String.raw`select U&"\006Eextval"('person_seq')`],
    ['unicode name, long escape', String.raw`select U&"next\+000076al"('person_seq')`],
    ['unicode name with UESCAPE', `select U&"!006Eextval" UESCAPE '!'('person_seq')`],
    ['unicode index function', String.raw`select U&"brin_summarize_new_value\0073"('person_id_brin')`],
    // `@` is an operator in PostgreSQL, not a parameter prefix
    ['prefix operator before a call', "select @nextval('person_seq')"],
    // EXPLAIN's ANALYZE anywhere in a long options list, quoted, or Unicode-escaped
    [
      'long EXPLAIN options',
      "explain (costs off, verbose on, buffers off, settings off, wal off, timing off, summary off, format text, analyze) select nextval('person_seq')",
    ],
    ['quoted EXPLAIN analyze', `explain ("analyze") select nextval('person_seq')`],
    ['unicode EXPLAIN analyze', String.raw`explain (U&"\0061nalyze") select * from person for update`],
    ['EXPLAIN analyze 1', 'explain (analyze 1) select pg_current_wal_lsn()'],
    // PostgreSQL 14 and older read `1for` as `1 for`
    ['number glued to FOR UPDATE', 'select * from person where id = 1for update'],
    ['number glued to a call', "select 1, 2nextval('person_seq')"],
    // WAL positions exist only on the primary
    ['pg_current_wal_lsn', 'select pg_current_wal_lsn()'],
    ['pg_current_wal_insert_lsn', 'select pg_current_wal_insert_lsn()'],
    ['pg_current_wal_flush_lsn', 'select pg_current_wal_flush_lsn()'],
    // SQLite's reading differs: it ends `--` only at \n, does not nest comments, has no E'' or $$ strings
    ['SQLite: cr comment hides a quote', "select 1 -- a \r '\n; delete from t; -- '"],
    ['SQLite: E string is a plain string', String.raw`select e'\' from t; delete from t; --'`],
    ['SQLite: nested comment ends early', '/* /* */ delete from t; -- */ select 1'],
    ['SQLite: dollar quote is a parameter', 'select $$; delete from t; $$'],
  ];
  it.each(misroutes)('primary: %s', (_name, text) => {
    expect(classifySql(text).requiresPrimary).toBe(true);
  });

  const reads: [string, string][] = [
    ['EXPLAIN of an INSERT', 'explain insert into audit_log (message) values ($$explained$$)'],
    ['EXPLAIN VERBOSE of an UPDATE', 'explain verbose update person set age = 1'],
    ['EXPLAIN (ANALYZE false)', 'explain (analyze false) insert into audit_log (message) values ($$x$$)'],
    ['EXPLAIN (ANALYZE off, COSTS off)', 'explain (analyze off, costs off) delete from toy'],
    ['EXPLAIN (ANALYZE 0)', 'explain (analyze 0) delete from toy'],
    ["EXPLAIN (ANALYZE 'false')", "explain (analyze 'false') delete from toy"],
    [
      'EXPLAIN of MERGE',
      'explain (costs off) merge into person p using pet s on p.id = s.id when matched then do nothing',
    ],
    ['EXPLAIN of nextval', "explain select nextval('person_seq')"],
    [
      'long options ending in ANALYZE false',
      'explain (costs off, verbose on, buffers off, settings off, wal off, timing off, summary off, format text, analyze false) insert into t values (1)',
    ],
    ['EXPLAIN ANALYZE of a read', 'explain analyze select * from person'],
    ['nested block comments', 'select /* outer /* inner */ still outer */ * from person'],
    ['leading nested block comment', '/* a /* b */ c */ select 1'],
    ['block opener in a line comment', 'select -- /* not a block\n* from person'],
    ['cr comment before a read', '-- lead\rselect * from person'],
    ['SQLite EXPLAIN QUERY PLAN', 'explain query plan select * from person'],
    ['SQLite EXPLAIN QUERY PLAN of a DELETE', 'explain query plan delete from toy where id = 1'],
    ['SQLite schema pragma', 'pragma table_info(person)'],
    ['SQLite schema pragma with a schema and a string', "pragma main.index_list('person')"],
    ['SQLite header pragma', 'pragma user_version'],
    ['COPY TO STDOUT', 'copy person to stdout'],
    ['COPY of a query TO STDOUT', 'copy (select 1) to stdout'],
  ];
  it.each(reads)('read: %s', (_name, text) => {
    expect(classifySql(text)).toEqual({ requiresPrimary: false, reason: 'read' });
  });

  it('keeps pragmas that assign, or report the connection, on the primary', () => {
    for (const text of [
      'pragma user_version = 3',
      'pragma user_version(3)',
      "pragma user_version('3')",
      'pragma journal_mode',
      'pragma database_list',
      'pragma query_only = 0; delete from t',
    ]) {
      expect(classifySql(text).requiresPrimary, text).toBe(true);
    }
  });

  it('keeps COPY FROM a write and COPY TO a program on the primary', () => {
    expect(classifySql("copy audit_log (message) from program 'echo x'").reason).toBe('write');
    expect(classifySql("copy person to program 'cat > /dev/null'").reason).toBe('side-effect');
    expect(classifySql("copy (select nextval('s')) to stdout").reason).toBe('side-effect');
  });
});

describe('classifyQuery of builder calls PostgreSQL refuses on a standby', () => {
  const db = compilingKysely('postgres');
  it.each(['pg_current_wal_lsn', 'pg_current_wal_insert_lsn', 'pg_current_wal_flush_lsn'])('%s()', (name) => {
    expect(classifyQuery(db.selectNoFrom((eb) => eb.fn(name, []).as('r')).compile()).reason).toBe(
      'side-effect',
    );
    expect(classifyQuery(db.selectNoFrom(sql`${sql.raw(name)}()`.as('r')).compile()).reason).toBe(
      'side-effect',
    );
  });
});
