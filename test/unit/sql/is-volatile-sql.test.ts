import { describe, expect, it } from 'vitest';
import { classifySql } from '../../../src/sql/classify-sql.js';
import { functionEffects } from '../../../src/sql/function-catalogue.js';
import { isVolatileSql } from '../../../src/sql/is-volatile-sql.js';

describe('isVolatileSql', () => {
  it.each([
    'select now()',
    'SELECT NOW ()',
    'select * from event where at > now() - interval $1',
    'select pg_catalog.now()',
    'select random()',
    'select * from t order by RANDOM() limit 1',
    'select clock_timestamp()',
    'select statement_timestamp()',
    'select transaction_timestamp()',
    'select timeofday()',
    "select nextval('person_id_seq')",
    "select setval('s', 1)",
    "select currval('s')",
    'select lastval()',
    'select gen_random_uuid()',
    'select uuid_generate_v4()',
    'select uuid_generate_v1mc()',
    'select txid_current()',
    'select pg_current_wal_lsn()',
    'select pg_current_wal_insert_lsn()',
    'select current_timestamp',
    'select CURRENT_DATE',
    'select * from t where d = current_time',
    'select localtimestamp',
    "select 'now'::timestamptz",
    "select timestamp 'today'",
    "select cast('now' as date)",
    'select randomblob(16)',
    "select date('now')",
    "select datetime('NOW', '-1 day')",
    "select strftime('%s', 'now')",
    "select julianday('now')",
    "select unixepoch('now')",
    'select date()',
    'select changes()',
    'select last_insert_rowid()',
    'select total_changes()',
    'select "now"()',
    'select /* a comment */ now()',
    "select 'it''s' || now()",
    "select E'\\'' , now()",
    'select $$ body $$, now()',
    'select $1::int + extract(epoch from now())',
    'select x from t where y = :name and now() > z',
  ])('volatile: %s', (sql) => {
    expect(isVolatileSql(sql)).toBe(true);
  });

  it.each([
    'select * from person where id = $1',
    "select 'now()' as label",
    "select 'random()' from t",
    "select E'it\\'s now()'",
    'select "random", "now" from t',
    'select `now` from t',
    'select 1 -- now()',
    'select 1 /* random() /* nested */ now() */',
    'select $$ select now() $$',
    'select $fn$ random() $fn$',
    "select * from t where status = 'now'",
    'select date(created_at) from t',
    "select strftime('%Y', created_at) from t",
    'select nowhere, randomness, now_at from t',
    'select t.now, t.random from t',
    'select changes_count from t',
    'select uuid from t where uuid = $1',
    'select "current_timestamp" from t',
  ])('not volatile: %s', (sql) => {
    expect(isVolatileSql(sql)).toBe(false);
  });

  it('survives unterminated literals and comments', () => {
    expect(isVolatileSql("select 'now()")).toBe(false);
    expect(isVolatileSql('select 1 /* now()')).toBe(false);
    expect(isVolatileSql('select $tag$ now()')).toBe(false);
    expect(isVolatileSql('select "now')).toBe(false);
  });
});

describe('server state and standby control (found by a differential hunt on PostgreSQL 15)', () => {
  it('flags functions whose answer changes without a table write, or differs from node to node', () => {
    for (const sql of [
      'select pg_is_in_recovery()',
      'select txid_current_snapshot()',
      "select pg_relation_size('person')",
      "select pg_xact_status('776'::xid8)",
      "select pg_sequence_last_value('person_seq')",
      'select pg_backend_pid()',
      'select inet_server_port()',
      "select current_setting('TimeZone')",
      'select * from pg_lock_status()',
    ]) {
      expect(isVolatileSql(sql), sql).toBe(true);
    }
  });

  it('sends recovery and backup control to the primary', () => {
    for (const sql of [
      'select pg_wal_replay_pause()',
      'select pg_wal_replay_resume()',
      'select pg_promote(true, 30)',
      "select pg_backup_start('x', true)",
      "select pg_walfile_name('0/1'::pg_lsn)",
      'select pg_catalog.pg_promote()',
    ]) {
      expect(classifySql(sql).requiresPrimary, sql).toBe(true);
    }
    expect(functionEffects('nextval ').writes).toBe(true);
  });
});
