import { type CorpusStatement, rawStatement } from './corpus-statement.js';
import { type RawBase, rawVariants } from './raw-variants.js';

const INSERT = 'insert into audit_log (message) values ($$explained$$)';

/** PostgreSQL statements as parts (see {@link RawBase}): reads, writes, and everything between. */
export const POSTGRES_RAW_BASES: readonly RawBase[] = [
  // reads
  { name: 'select-where', parts: ['select', '*', 'from person', 'where id = 1'] },
  { name: 'select-order-limit', parts: ['select id', 'from person', 'order by id', 'limit 3'] },
  { name: 'table', parts: ['table', 'toy'] },
  { name: 'values', parts: ['values', '(1, 2)'] },
  { name: 'read-cte', parts: ['with x as (select id from person)', 'select * from x'] },
  { name: 'join-count', parts: ['select count(*)', 'from person p', 'join pet on pet.owner_id = p.id'] },
  { name: 'show', parts: ['show', 'search_path'] },
  { name: 'show-all', parts: ['show', 'all'] },
  { name: 'string-with-keywords', parts: ['select', "'insert into person; for update' as s"] },
  { name: 'escape-string', parts: ['select', String.raw`E'it\'s; delete from toy' as s`] },
  { name: 'escape-string-backslashes', parts: ['select', String.raw`E'\\' as s,`, "'update person' as t"] },
  { name: 'standard-string-backslash', parts: ['select', String.raw`'a\' as s,`, 'length($$b$$) as t'] },
  { name: 'dollar-string', parts: ['select', '$$ update person set age = 1 $$ as s'] },
  { name: 'tagged-dollar-string', parts: ['select', "$body$ nextval('person_seq') $$ $body$ as s"] },
  { name: 'unicode-string', parts: ['select', String.raw`U&'\0069nsert' as s`] },
  { name: 'unicode-string-uescape', parts: ['select', `U&'!0069nsert' UESCAPE '!' as s`] },
  { name: 'quoted-keyword-identifiers', parts: ['select', '"select"', 'from "analyze"'] },
  { name: 'quoted-mixed-case', parts: ['select', '"for"', 'from "Mixed Case"'] },
  { name: 'alias-update', parts: ['select id as "update"', 'from person', 'where id = 2'] },
  { name: 'doubled-quote-identifier', parts: ['select "a""b"', 'from (select 1 as "a""b") s'] },
  { name: 'dollar-in-identifier', parts: ['select a$b', 'from (select 1 as a$b) s'] },
  { name: 'recovery-check', parts: ['select', 'pg_is_in_recovery()'] },
  { name: 'volatile-reads', parts: ['select', 'now(), random(), clock_timestamp()'] },
  { name: 'stable-user-function', parts: ['select', 'read_label(1)'] },
  { name: 'function-in-where', parts: ['select id', 'from person', 'where lower(first_name) = $$first 1$$'] },
  { name: 'parenthesised', parts: ['(select 1)', 'union all', '(select 2)'] },
  { name: 'explain-select', parts: ['explain', 'select * from person'] },
  { name: 'explain-insert', parts: ['explain', INSERT] },
  { name: 'explain-verbose-update', parts: ['explain', 'verbose', 'update person set age = 1'] },
  { name: 'explain-analyze-false', parts: ['explain', '(analyze false)', INSERT] },
  { name: 'explain-analyze-off-costs', parts: ['explain', '(analyze off, costs off)', 'delete from toy'] },
  { name: 'explain-analyze-zero', parts: ['explain', '(analyze 0)', 'delete from toy'] },
  { name: 'explain-analyze-string-false', parts: ['explain', "(analyze 'false')", 'delete from toy'] },
  {
    name: 'explain-costs-off-merge',
    parts: [
      'explain',
      '(costs off)',
      'merge into person p using pet s on p.id = s.id when matched then do nothing',
    ],
  },
  { name: 'explain-format-json', parts: ['explain', '(format json)', 'select 1'] },
  { name: 'explain-nextval', parts: ['explain', "select nextval('person_seq')"] },
  { name: 'explain-analyze-select', parts: ['explain', 'analyze', 'select * from person'] },
  { name: 'explain-analyze-option-select', parts: ['explain', '(analyze, buffers)', 'select * from person'] },
  {
    name: 'explain-long-options-analyze-false',
    parts: [
      'explain',
      '(costs off, verbose on, buffers off, settings off, wal off, timing off, summary off, format text, analyze false)',
      INSERT,
    ],
  },
  // writes and everything PostgreSQL refuses on a standby
  { name: 'nextval', parts: ['select', "nextval('person_seq')"] },
  { name: 'nextval-qualified', parts: ['select', "pg_catalog.nextval('person_seq')"] },
  { name: 'nextval-quoted', parts: ['select', `"nextval"('person_seq')`] },
  { name: 'nextval-unicode-identifier', parts: ['select', String.raw`U&"\006Eextval"('person_seq')`] },
  {
    name: 'nextval-unicode-identifier-uescape',
    parts: ['select', `U&"!006Eextval" UESCAPE '!'('person_seq')`],
  },
  {
    name: 'nextval-unicode-identifier-long',
    parts: ['select', String.raw`U&"next\+000076al"('person_seq')`],
  },
  {
    name: 'nextval-in-subquery',
    parts: ['select *', 'from person', "where id = (select nextval('person_seq'))"],
  },
  { name: 'nextval-in-values', parts: ['values', "(nextval('person_seq'))"] },
  { name: 'setval', parts: ['select', "setval('person_seq', 5)"] },
  { name: 'for-update', parts: ['select *', 'from person', 'for update'] },
  { name: 'for-no-key-update', parts: ['select *', 'from person', 'for no key update'] },
  { name: 'for-share', parts: ['select *', 'from person', 'for share'] },
  { name: 'for-key-share', parts: ['select *', 'from person', 'for key share'] },
  {
    name: 'for-update-of-skip-locked',
    parts: ['select *', 'from person', 'for update of person', 'skip locked'],
  },
  { name: 'select-into', parts: ['select *', 'into temp person_copy', 'from person'] },
  {
    name: 'cte-insert',
    parts: ['with i as (insert into audit_log (message) values ($$x$$) returning id)', 'select * from i'],
  },
  { name: 'cte-delete', parts: ['with d as (delete from toy where id = 5 returning id)', 'select * from d'] },
  {
    name: 'cte-read-then-update',
    parts: [
      'with r as (select 1)',
      ', u as (update person set age = 4 where id = 1 returning id)',
      'select * from u',
    ],
  },
  { name: 'insert', parts: ['insert into', 'audit_log (message)', 'values ($$raw$$)'] },
  { name: 'update', parts: ['update person', 'set age = age + 1', 'where id = 1'] },
  { name: 'delete', parts: ['delete from', 'toy', 'where id = 6'] },
  {
    name: 'merge',
    parts: ['merge into person p', 'using pet s on p.id = s.id', 'when matched then update set age = 5'],
  },
  { name: 'truncate', parts: ['truncate', 'toy'] },
  { name: 'brin-summarize-new-values', parts: ['select', "brin_summarize_new_values('person_id_brin')"] },
  { name: 'brin-summarize-range', parts: ['select', "brin_summarize_range('person_id_brin', 0)"] },
  { name: 'brin-desummarize-range', parts: ['select', "brin_desummarize_range('person_id_brin', 0)"] },
  { name: 'gin-clean-pending-list', parts: ['select', "gin_clean_pending_list('person_tags_gin')"] },
  {
    name: 'brin-unicode-identifier',
    parts: ['select', String.raw`U&"brin_summarize_new_value\0073"('person_id_brin')`],
  },
  { name: 'current-wal-lsn', parts: ['select', 'pg_current_wal_lsn()'] },
  { name: 'txid-current', parts: ['select', 'txid_current()'] },
  { name: 'pg-notify', parts: ['select', "pg_notify('channel', 'payload')"] },
  { name: 'lo-create', parts: ['select', 'lo_create(0)'] },
  { name: 'set-config', parts: ['select', "set_config('edb.setting', '1', false)"] },
  { name: 'advisory-lock', parts: ['select', 'pg_advisory_lock(7)'] },
  { name: 'advisory-xact-lock', parts: ['select', 'pg_advisory_xact_lock(8)'] },
  { name: 'explain-analyze-insert', parts: ['explain', 'analyze', INSERT] },
  {
    name: 'explain-analyse-verbose-delete',
    parts: ['explain', 'analyse', 'verbose', 'delete from toy where id = 7'],
  },
  { name: 'explain-analyze-option', parts: ['explain', '(analyze)', INSERT] },
  {
    name: 'explain-analyze-true',
    parts: ['explain', '(analyze true)', 'update person set age = 9 where id = 1'],
  },
  { name: 'explain-analyze-one', parts: ['explain', '(analyze 1)', INSERT] },
  {
    name: 'explain-long-options',
    parts: [
      'explain',
      '(costs off, verbose on, buffers off, settings off, wal off, timing off, summary off, format text, analyze)',
      INSERT,
    ],
  },
  {
    name: 'explain-long-options-analyze-on',
    parts: [
      'explain',
      '(costs false, verbose false, buffers false, settings false, summary false, format text, analyze on)',
      'delete from toy where id = 8',
    ],
  },
  { name: 'explain-quoted-analyze', parts: ['explain', '("analyze")', INSERT] },
  { name: 'explain-unicode-analyze', parts: ['explain', String.raw`(U&"\0061nalyze")`, INSERT] },
  { name: 'explain-analyze-nextval', parts: ['explain', 'analyze', "select nextval('person_seq')"] },
  {
    name: 'explain-long-options-analyze-nextval',
    parts: [
      'explain',
      '(costs off, verbose on, buffers off, settings off, wal off, timing off, summary off, format text, analyze)',
      "select nextval('person_seq')",
    ],
  },
  {
    name: 'explain-quoted-analyze-for-update',
    parts: ['explain', '("analyze")', 'select * from person for update'],
  },
  {
    name: 'explain-unicode-analyze-nextval',
    parts: ['explain', String.raw`(U&"\0061nalyze")`, "select nextval('person_seq')"],
  },
  {
    name: 'explain-analyze-string-true-nextval',
    parts: ['explain', "(analyze 'on')", "select nextval('person_seq')"],
  },
  { name: 'copy-to-stdout', parts: ['copy', 'person', 'to stdout'] },
  { name: 'copy-query-to-stdout', parts: ['copy', '(select id from person where id < 3)', 'to stdout'] },
  { name: 'copy-nextval-to-stdout', parts: ['copy', "(select nextval('person_seq'))", 'to stdout'] },
  { name: 'vacuum', parts: ['vacuum', 'person'] },
  { name: 'vacuum-analyze', parts: ['vacuum (analyze)', 'person'] },
  { name: 'analyze', parts: ['analyze', 'person'] },
  { name: 'reindex', parts: ['reindex table', 'toy'] },
  { name: 'lock-exclusive', parts: ['lock table', 'person', 'in exclusive mode'] },
  { name: 'lock-access-share', parts: ['lock table', 'person', 'in access share mode'] },
  { name: 'listen', parts: ['listen', 'channel'] },
  { name: 'notify', parts: ['notify', 'channel'] },
  { name: 'unlisten', parts: ['unlisten', '*'] },
  { name: 'set', parts: ['set', 'search_path = public'] },
  { name: 'set-local', parts: ['set local', 'statement_timeout = 1000'] },
  { name: 'reset', parts: ['reset', 'all'] },
  { name: 'prepare-select', parts: ['prepare p1 (int) as', 'select * from person where id = $1'] },
  { name: 'prepare-insert', parts: ['prepare p2 as', INSERT] },
  { name: 'deallocate', parts: ['deallocate', 'all'] },
  { name: 'declare-cursor', parts: ['declare c cursor for', 'select * from person'] },
  { name: 'do-read', parts: ['do', '$$ begin perform 1; end $$'] },
  { name: 'do-write', parts: ['do', "$$ begin insert into audit_log (message) values ('do'); end $$"] },
  { name: 'copy-to-program', parts: ['copy', 'person', "to program 'cat > /dev/null'"] },
  { name: 'copy-query-to-program', parts: ['copy', '(select 1)', "to program 'cat > /dev/null'"] },
  { name: 'copy-from-program', parts: ['copy', 'audit_log (message)', "from program 'echo copied'"] },
  { name: 'create-table', parts: ['create table', 'fresh (id int)'] },
  { name: 'drop-table', parts: ['drop table', 'toy'] },
  { name: 'alter-table', parts: ['alter table', 'person add column extra int'] },
  { name: 'refresh-materialized-view', parts: ['refresh materialized view', 'person_count'] },
  { name: 'comment-on', parts: ['comment on table', "person is 'people'"] },
  { name: 'grant', parts: ['grant select on person', 'to public'] },
  { name: 'begin', parts: ['begin'] },
  { name: 'commit', parts: ['commit'] },
  { name: 'rollback', parts: ['rollback'] },
  { name: 'savepoint', parts: ['savepoint', 's1'] },
  { name: 'checkpoint', parts: ['checkpoint'] },
  { name: 'discard', parts: ['discard', 'all'] },
  { name: 'call-procedure', parts: ['call', "add_audit('x')"], userFunction: true },
  { name: 'user-function-writes', parts: ['select', 'write_audit($$raw$$)'], userFunction: true },
  { name: 'user-function-qualified', parts: ['select', 'public.write_audit($$q$$)'], userFunction: true },
  { name: 'user-function-quoted', parts: ['select', '"write_audit"($$q$$)'], userFunction: true },
  { name: 'user-plpgsql-function', parts: ['select', 'plpgsql_writer()'], userFunction: true },
  {
    name: 'view-that-writes',
    parts: ['select *', 'from audited_person', 'where id = 1'],
    userFunction: true,
  },
];

/**
 * Texts that only work written exactly so: literals and comments that a lexer has to end at the right place
 * for the call after them to be seen (or not).
 */
export const POSTGRES_EXACT_TEXTS: Readonly<Record<string, string>> = {
  'doubled-quote-then-call': "select 'it''s', nextval('person_seq')",
  'escape-string-escaped-quote-then-call': String.raw`select E'\'', nextval('person_seq')`,
  'escape-string-backslash-then-call': String.raw`select E'\\', nextval('person_seq')`,
  'standard-string-backslash-then-call': String.raw`select 'a\', nextval('person_seq')`,
  'lower-e-string-then-call': String.raw`select e'x\'y', nextval('person_seq')`,
  'empty-dollar-string-then-call': "select $$$$, nextval('person_seq')",
  'dollar-tags-then-call': "select $a$ $b$ $a$, nextval('person_seq')",
  'unicode-string-then-call': String.raw`select U&'\0027', nextval('person_seq')`,
  'doubled-quote-identifier-then-call': `select 1 as "x""", nextval('person_seq')`,
  'dashes-in-block-comment-then-call': "select /* -- */ nextval('person_seq')",
  'block-opener-in-line-comment-then-call': "select -- /* \n nextval('person_seq')",
  'call-inside-nested-comment': "select 1 /* /* */ nextval('person_seq') */",
  'cr-line-comment-then-for-update': 'select * from person -- note\rfor update',
  'cr-line-comment-then-call': "select 1 -- note\r, nextval('person_seq')",
  'cr-line-comment-then-statement': 'select 1; -- note\rdelete from toy where id = 9',
  'semicolon-in-string-then-write': "select ';'; delete from toy where id = 9",
  'at-operator-before-call': "select @nextval('person_seq')",
  'operator-ampersand-not-unicode': "select 5 & 3, nextval('person_seq')",
  'unicode-identifier-column': String.raw`select U&"\0069d" from person where id = 1`,
  'unicode-ident-nextval-spaced-call': String.raw`select U&"\006Eextval" ('person_seq')`,
};

/** The PostgreSQL raw corpus: every base in every variant, plus the exact texts. */
export function postgresRawStatements(): CorpusStatement[] {
  const statements: CorpusStatement[] = [];
  for (const base of POSTGRES_RAW_BASES) {
    for (const [variant, text] of rawVariants(base)) {
      statements.push(
        rawStatement(
          `raw/${base.name}/${variant}`,
          'raw',
          text,
          base.userFunction ? 'user-function-writes' : undefined,
        ),
      );
    }
  }
  for (const [name, text] of Object.entries(POSTGRES_EXACT_TEXTS))
    statements.push(rawStatement(`raw/exact/${name}`, 'raw', text));
  return statements;
}
