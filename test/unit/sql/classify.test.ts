import { type Compilable, type RootOperationNode, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { classifyQuery } from '../../../src/sql/classify-query.js';
import { classifySql } from '../../../src/sql/classify-sql.js';
import type { QueryClassReason } from '../../../src/sql/query-class.js';
import { ROOT_KIND_ROUTES } from '../../../src/sql/root-kind-routes.js';
import { compileOnlyDb } from '../../support/compile-only-db.js';

interface DB {
  person: { id: number; name: string; team_id: number };
  team: { id: number; name: string };
  audit: { id: number; what: string };
}

const db = compileOnlyDb<DB>();

/** One builder per root node kind and builder family, with the class it must get. */
const cases = {
  select: [db.selectFrom('person').selectAll(), 'read'],
  selectJoin: [
    db.selectFrom('person').innerJoin('team', 'team.id', 'person.team_id').select('team.name'),
    'read',
  ],
  selectCte: [
    db
      .with('t', (q) => q.selectFrom('team').selectAll())
      .selectFrom('t')
      .selectAll(),
    'read',
  ],
  selectUnion: [db.selectFrom('person').select('id').union(db.selectFrom('team').select('id')), 'read'],
  selectSubquery: [
    db.selectFrom('person').where('team_id', 'in', db.selectFrom('team').select('id')).selectAll(),
    'read',
  ],
  selectCount: [db.selectFrom('person').select((eb) => eb.fn.countAll().as('n')), 'read'],
  forUpdate: [db.selectFrom('person').selectAll().forUpdate(), 'lock'],
  forNoKeyUpdate: [db.selectFrom('person').selectAll().forNoKeyUpdate(), 'lock'],
  forShare: [db.selectFrom('person').selectAll().forShare(), 'lock'],
  forKeyShare: [db.selectFrom('person').selectAll().forKeyShare(), 'lock'],
  forUpdateSkipLocked: [db.selectFrom('person').selectAll().forUpdate().skipLocked(), 'lock'],
  nextval: [db.selectNoFrom((eb) => eb.fn('nextval', [sql.lit('person_id_seq')]).as('id')), 'side-effect'],
  advisoryLock: [db.selectNoFrom((eb) => eb.fn('pg_advisory_lock', [sql.lit(1)]).as('l')), 'side-effect'],
  setConfig: [
    db.selectNoFrom((eb) => eb.fn('set_config', [sql.lit('a.b'), sql.lit('c'), sql.lit(false)]).as('x')),
    'side-effect',
  ],
  rawFragmentNextval: [db.selectNoFrom(sql<number>`nextval('s')`.as('id')), 'side-effect'],
  schemaQualifiedLock: [
    db.selectNoFrom((eb) => eb.fn('pg_catalog.pg_advisory_lock', [sql.lit(1)]).as('l')),
    'side-effect',
  ],
  dataModifyingCte: [
    db
      .with('ins', (q) => q.insertInto('audit').values({ id: 1, what: 'x' }).returning('id'))
      .selectFrom('ins')
      .selectAll(),
    'write',
  ],
  nestedDataModifyingCte: [
    db
      .selectFrom(
        db
          .with('d', (w) => w.deleteFrom('audit').returning('id'))
          .selectFrom('d')
          .selectAll()
          .as('sub'),
      )
      .selectAll(),
    'write',
  ],
  insert: [db.insertInto('person').values({ id: 1, name: 'a', team_id: 1 }), 'write'],
  insertSelect: [
    db
      .insertInto('audit')
      .columns(['id', 'what'])
      .expression(db.selectFrom('person').select(['id', 'name'])),
    'write',
  ],
  update: [db.updateTable('person').set({ name: 'b' }).where('id', '=', 1), 'write'],
  delete: [db.deleteFrom('person').where('id', '=', 1), 'write'],
  merge: [
    db.mergeInto('person').using('team', 'team.id', 'person.team_id').whenMatched().thenDelete(),
    'write',
  ],
  createTable: [db.schema.createTable('x').addColumn('id', 'integer'), 'ddl'],
  createIndex: [db.schema.createIndex('x_i').on('x').column('id'), 'ddl'],
  createSchema: [db.schema.createSchema('s'), 'ddl'],
  createView: [db.schema.createView('v').as(db.selectFrom('person').selectAll()), 'ddl'],
  createType: [db.schema.createType('mood').asEnum(['a', 'b']), 'ddl'],
  refreshView: [db.schema.refreshMaterializedView('v'), 'ddl'],
  dropTable: [db.schema.dropTable('x'), 'ddl'],
  dropIndex: [db.schema.dropIndex('x_i'), 'ddl'],
  dropSchema: [db.schema.dropSchema('s'), 'ddl'],
  dropView: [db.schema.dropView('v'), 'ddl'],
  dropType: [db.schema.dropType('mood'), 'ddl'],
  alterTable: [db.schema.alterTable('x').addColumn('y', 'text'), 'ddl'],
  rawSelect: [{ compile: () => sql`select 1`.compile(db) }, 'read'],
  rawInsert: [{ compile: () => sql`insert into person values (1)`.compile(db) }, 'write'],
} satisfies Record<string, [Compilable, QueryClassReason]>;

describe('classifyQuery', () => {
  it.each(Object.entries(cases))('%s', (_name, [builder, expected]) => {
    const compiled = builder.compile();
    const verdict = classifyQuery(compiled);
    expect(verdict.reason).toBe(expected);
    expect(verdict.requiresPrimary).toBe(expected !== 'read');
  });

  it('covers every root node kind Kysely has', () => {
    const kinds = new Set(
      Object.values(cases).map(([builder]) => (builder.compile().query as RootOperationNode).kind),
    );
    // Kysely 0.29 adds `alterType` (AlterTypeNode); on 0.28 the table lists it ahead of time.
    const alterType = (
      db.schema as {
        alterType?: (name: string) => { renameTo(to: string): { compile(): { query: unknown } } };
      }
    ).alterType;
    if (typeof alterType === 'function') {
      kinds.add(
        (alterType.call(db.schema, 'mood').renameTo('feeling').compile().query as RootOperationNode).kind,
      );
    }
    const expected = Object.keys(ROOT_KIND_ROUTES).filter(
      (kind) => kinds.has(kind as never) || kind !== 'AlterTypeNode',
    );
    expect([...kinds].sort()).toEqual(expected.sort());
  });

  it('sends an unknown node kind to the primary', () => {
    const verdict = classifyQuery({
      sql: 'select 1',
      parameters: [],
      query: { kind: 'FutureNode' },
    } as never);
    expect(verdict.requiresPrimary).toBe(true);
    expect(verdict.reason).toBe('unknown');
  });
});

describe('classifySql', () => {
  const reads = [
    'select 1',
    '  SELECT * FROM "insert"',
    "-- delete everything\nselect 'update; delete' as x",
    'with t as (select 1) select * from t',
    'values (1), (2)',
    'table person',
    'show search_path',
    'explain select * from person',
    '(select 1) union (select 2)',
    'select $$ insert into x $$ as body',
    'select $tag$ delete $tag$',
    'select 1; select 2',
    "select replace(name, 'a', 'b') from person",
    'select count(*) from person where name = $1',
    'explain analyze select 1',
    'explain (analyze, buffers) select 1',
    // PostgreSQL: a nested comment, then SELECT; SQLite: a comment, then `comment */ ...`, which it refuses.
    '/* nested /* insert */ comment */ select 1',
  ];
  it.each(reads)('read: %s', (text) => {
    expect(classifySql(text)).toEqual({ requiresPrimary: false, reason: 'read' });
  });

  const primaries: [string, QueryClassReason][] = [
    ['insert into person values (1)', 'write'],
    ['  -- leading comment\n  UPDATE person SET a = 1', 'write'],
    ['/* c */ delete from person', 'write'],
    ['with d as (delete from person returning *) select * from d', 'write'],
    ['select * into backup from person', 'write'],
    ['select * from person for update', 'lock'],
    ['select * from person for no key update', 'lock'],
    ['select * from person for share', 'lock'],
    ['select * from person for key share', 'lock'],
    ["select nextval('s')", 'side-effect'],
    ['select pg_try_advisory_xact_lock(1)', 'side-effect'],
    ['SELECT PG_ADVISORY_UNLOCK_ALL()', 'side-effect'],
    ['explain analyze select nextval(1)', 'side-effect'],
    ['explain (analyze, buffers) insert into t values (1)', 'write'],
    // SQLite reads `'it\'` as a whole string, then a second statement: DELETE.
    ["select E'it\\'s fine; delete' as s", 'write'],
    ['set search_path = x', 'session'],
    ['listen channel', 'session'],
    ['pragma journal_mode', 'session'],
    ['begin', 'transaction-control'],
    ['commit', 'transaction-control'],
    ['create temp table t (id int)', 'ddl'],
    ['drop table t', 'ddl'],
    ['vacuum', 'session'],
    ['select 1; delete from person', 'write'],
    ['', 'unknown'],
    ['-- only a comment', 'unknown'],
    ['frobnicate the database', 'unknown'],
    ["select '\\' ; delete from person; select '", 'write'],
    ['select pg_catalog.pg_advisory_lock(1)', 'side-effect'],
    ['select "pg_advisory_lock"(1)', 'side-effect'],
    // PostgreSQL: an unterminated comment (an error); SQLite: a comment ending at the first */, then DELETE.
    ['with x as (select id from t /* a /* b */) delete from t where id in x', 'write'],
  ];
  it.each(primaries)('primary: %s', (text, reason) => {
    const verdict = classifySql(text);
    expect(verdict.requiresPrimary).toBe(true);
    expect(verdict.reason).toBe(reason);
  });
});
