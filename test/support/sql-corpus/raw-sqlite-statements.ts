import { type CorpusStatement, rawStatement } from './corpus-statement.js';
import { type RawBase, rawVariants } from './raw-variants.js';

/** SQLite statements as parts (see {@link RawBase}). */
export const SQLITE_RAW_BASES: readonly RawBase[] = [
  // reads
  { name: 'select-where', parts: ['select', '*', 'from person', 'where id = 1'] },
  { name: 'select-order-limit', parts: ['select id', 'from person', 'order by id', 'limit 3'] },
  { name: 'values', parts: ['values', '(1, 2)'] },
  { name: 'read-cte', parts: ['with x as (select id from person)', 'select * from x'] },
  {
    name: 'recursive-cte',
    parts: ['with recursive n(i) as (select 1 union all select i + 1 from n where i < 3)', 'select * from n'],
  },
  { name: 'join-count', parts: ['select count(*)', 'from person p', 'join pet on pet.owner_id = p.id'] },
  { name: 'string-with-keywords', parts: ['select', "'insert into person; update' as s"] },
  { name: 'bracket-identifiers', parts: ['select [id], [first_name]', 'from [person]', 'where [id] = 2'] },
  { name: 'backtick-identifiers', parts: ['select `id`', 'from `person`', 'where `id` = 2'] },
  { name: 'quoted-keyword-identifiers', parts: ['select "select"', 'from "analyze"'] },
  { name: 'bracket-keyword-alias', parts: ['select id as [update]', 'from person', 'where id = 3'] },
  {
    name: 'replace-function',
    parts: ['select', "replace(first_name, 'first', 'x')", 'from person where id = 1'],
  },
  { name: 'volatile-reads', parts: ['select', "random(), datetime('now'), randomblob(4)"] },
  { name: 'explain', parts: ['explain', 'select * from person'] },
  { name: 'explain-query-plan', parts: ['explain query plan', 'select * from person where age > 3'] },
  { name: 'explain-insert', parts: ['explain', "insert into audit_log (message) values ('x')"] },
  { name: 'explain-delete', parts: ['explain query plan', 'delete from toy where id = 1'] },
  { name: 'view', parts: ['select *', 'from adult', 'limit 2'] },
  { name: 'pragma-read', parts: ['pragma', 'table_info(person)'] },
  { name: 'pragma-user-version', parts: ['pragma', 'user_version'] },
  { name: 'session-functions', parts: ['select', 'changes(), total_changes(), last_insert_rowid()'] },
  // writes
  { name: 'insert', parts: ['insert into', 'audit_log (message)', "values ('raw')"] },
  { name: 'insert-or-replace', parts: ['insert or replace into', 'toy (id, name)', "values (1, 'again')"] },
  { name: 'replace', parts: ['replace into', 'toy (id, name)', "values (2, 'again')"] },
  {
    name: 'upsert',
    parts: [
      'insert into toy (id, name)',
      "values (3, 'x')",
      'on conflict (id) do update set name = excluded.name',
    ],
  },
  { name: 'insert-returning', parts: ['insert into audit_log (message)', "values ('r')", 'returning id'] },
  { name: 'update', parts: ['update person', 'set age = age + 1', 'where id = 1'] },
  { name: 'update-fires-trigger', parts: ['update person', 'set last_name = last_name', 'where id = 2'] },
  { name: 'delete', parts: ['delete from', 'toy', 'where id = 6'] },
  {
    name: 'cte-insert',
    parts: ['with x as (select 1 as v)', "insert into audit_log (message) select 'cte' || v from x"],
  },
  {
    name: 'cte-delete',
    parts: ['with x as (select 7 as v)', 'delete from toy where id in (select v from x)'],
  },
  {
    name: 'cte-update',
    parts: ['with x as (select 8 as v)', 'update toy set name = null where id in (select v from x)'],
  },
  {
    name: 'cte-replace',
    parts: ['with x as (select 9 as v)', "replace into toy (id, name) select v, 'r' from x"],
  },
  { name: 'create-table', parts: ['create table', 'fresh (id integer)'] },
  { name: 'create-temp-table', parts: ['create temp table', 'scratch (id integer)'] },
  { name: 'drop-table', parts: ['drop table', 'toy'] },
  { name: 'alter-table', parts: ['alter table', 'person add column extra integer'] },
  { name: 'create-index', parts: ['create index', 'toy_name on toy (name)'] },
  { name: 'pragma-write', parts: ['pragma', 'user_version = 3'] },
  {
    name: 'pragma-query-only-off-then-write',
    parts: ['pragma query_only = 0;', 'delete from toy where id = 10'],
  },
  { name: 'vacuum', parts: ['vacuum'] },
  { name: 'analyze', parts: ['analyze'] },
  { name: 'reindex', parts: ['reindex', 'person'] },
  { name: 'attach', parts: ['attach', "':memory:' as scratch"] },
  { name: 'begin-delete-commit', parts: ['begin;', 'delete from toy where id = 11;', 'commit'] },
  { name: 'savepoint-write', parts: ['savepoint s;', 'delete from toy where id = 12;', 'release s'] },
];

/** SQLite texts whose meaning depends on its own lexical rules (where PostgreSQL would read them otherwise). */
export const SQLITE_EXACT_TEXTS: Readonly<Record<string, string>> = {
  // SQLite ends `--` only at \n: the quote after \r is inside the comment, the DELETE is not
  'cr-comment-hides-quote': "select 1 -- a \r '\n; delete from toy; -- '",
  // SQLite has no E'' strings: e is a column, '\' a plain string, then a DELETE
  'e-is-a-column': String.raw`select e'\' from (select 1 as e); delete from toy; --'`,
  // SQLite does not nest comments: the first */ ends it
  'nested-comment-ends-early': '/* /* */ delete from toy; -- */ select 1',
  'brackets-hide-nothing': 'select 1 as [x]; delete from toy where id = 13',
  'backticks-then-write': 'select `id` from person; update toy set name = null where id = 14',
  'string-semicolon-then-write': "select ';'; delete from toy where id = 15",
  'cr-comment-then-nothing': 'select 1 -- note\r; delete from toy where id = 16',
};

/** The SQLite raw corpus: every base in every variant, plus the exact texts. */
export function sqliteRawStatements(): CorpusStatement[] {
  const statements: CorpusStatement[] = [];
  for (const base of SQLITE_RAW_BASES) {
    for (const [variant, text] of rawVariants(base))
      statements.push(rawStatement(`raw/${base.name}/${variant}`, 'raw', text));
  }
  for (const [name, text] of Object.entries(SQLITE_EXACT_TEXTS))
    statements.push(rawStatement(`raw/exact/${name}`, 'raw', text));
  return statements;
}
