import { describe, expect, it } from 'vitest';
import { isSessionStatement } from '../../../src/sql/is-session-statement.js';

const sessionStatements = [
  'begin',
  'start transaction isolation level serializable read only',
  'COMMIT',
  'rollback',
  'savepoint "sp1"',
  'rollback to savepoint "sp1"',
  'release savepoint "sp1"',
  'set statement_timeout = 1000',
  '  SET LOCAL search_path = app',
  'reset all',
  'listen jobs',
  'unlisten *',
  'discard all',
  'prepare q as select 1',
  'execute q',
  'deallocate q',
  'declare c cursor for select 1',
  'fetch 10 from c',
  'close c',
  'lock table person in exclusive mode',
  'create temp table t (id int)',
  'CREATE TEMPORARY TABLE t (id int)',
  'create global temporary table t (id int)',
  'create local temp table t (id int)',
  'create or replace temp view v as select 1',
  'CREATE OR REPLACE TEMPORARY VIEW v AS SELECT 1',
  'create temp sequence s',
  'select * into temp t from person',
  'select id, name into temporary table t from person',
  'SELECT 1 AS n INTO TEMP TABLE "t"',
  'with x as (select 1 as n) select n into temp t from x',
  'select pg_advisory_lock($1)',
  'select pg_try_advisory_lock_shared(1, 2)',
  'select pg_advisory_unlock_all()',
  "select set_config('app.user', $1, false)",
  "select currval('person_id_seq')",
  'select lastval()',
  'insert into pg_temp.t values (1)',
  '/* edge-db */ set role app',
  '-- comment\nbegin',
  '(begin)',
];

const httpStatements = [
  'select * from "person" where "id" = $1',
  'insert into "person" ("name") values ($1) returning "id"',
  'update "person" set "name" = $1 where "id" = $2',
  'delete from "person" where "id" = $1',
  'with x as (select 1) select * from x',
  'select * from "person" for update',
  'create table settings (id int)',
  'create table "temporal" (id int)',
  "select nextval('person_id_seq')",
  'select "offset", "reset_at" from "schedule"',
  'notify jobs',
  'select pg_advisory_xact_lock(1)',
  'create or replace view v as select 1',
  'select * into archive from person',
  'insert into temp (id) values (1)',
  'insert into temporary_items select * from items',
  'select * from person where note = $1 into_temp',
];

describe('isSessionStatement', () => {
  it.each(sessionStatements)('routes %j over the WebSocket session', (sql) => {
    expect(isSessionStatement(sql)).toBe(true);
  });

  it.each(httpStatements)('lets %j go over HTTP', (sql) => {
    expect(isSessionStatement(sql)).toBe(false);
  });
});
