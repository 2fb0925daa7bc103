import { type ExpressionBuilder, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import {
  BUILDER_FUNCTION_CALLS,
  CALL_FORMS,
  SQLITE_BUILDER_FUNCTION_CALLS,
} from './builder-function-calls.js';
import type { CorpusDatabase } from './corpus-database.js';
import type { CorpusStatement, KnownLimitation } from './corpus-statement.js';

type Db = Kysely<CorpusDatabase>;
type AnySelect = SelectQueryBuilder<CorpusDatabase, any, any>;
type Eb = ExpressionBuilder<CorpusDatabase, 'person'>;

/** SELECT shapes Kysely builds: joins, subqueries, CTEs, grouping, functions, views, raw fragments. */
const SELECT_SHAPES: Record<string, (db: Db) => AnySelect> = {
  'all-columns': (db) => db.selectFrom('person').selectAll(),
  where: (db) => db.selectFrom('person').select(['id', 'first_name']).where('age', '>', 30),
  join: (db) =>
    db.selectFrom('person').innerJoin('pet', 'pet.owner_id', 'person.id').select(['person.id', 'pet.name']),
  'left-join': (db) =>
    db
      .selectFrom('pet')
      .leftJoin('toy', 'toy.pet_id', 'pet.id')
      .select(['pet.id', 'toy.name as toy_name'])
      .where('pet.id', '<', 20),
  'group-by': (db) =>
    db
      .selectFrom('pet')
      .select((eb) => ['owner_id', eb.fn.countAll().as('n')])
      .groupBy('owner_id')
      .having((eb) => eb.fn.countAll(), '>', 1),
  'order-limit': (db) => db.selectFrom('person').selectAll().orderBy('id', 'desc').limit(5).offset(2),
  'in-subquery': (db) =>
    db
      .selectFrom('person')
      .select('id')
      .where('id', 'in', (eb) => eb.selectFrom('pet').select('owner_id')),
  exists: (db) =>
    db
      .selectFrom('person')
      .select('id')
      .where((eb) =>
        eb.exists(eb.selectFrom('pet').select('pet.id').whereRef('pet.owner_id', '=', 'person.id')),
      ),
  'scalar-subquery': (db) =>
    db
      .selectFrom('person')
      .select((eb) => [
        'person.id',
        eb
          .selectFrom('pet')
          .select(eb.fn.countAll().as('c'))
          .whereRef('pet.owner_id', '=', 'person.id')
          .as('pets'),
      ]),
  'read-cte': (db) =>
    db
      .with('old', (q) => q.selectFrom('person').select('id').where('age', '>', 60))
      .selectFrom('old')
      .selectAll(),
  'distinct-on': (db) =>
    db.selectFrom('pet').distinctOn('owner_id').select(['owner_id', 'name']).orderBy('owner_id'),
  functions: (db) =>
    db
      .selectFrom('person')
      .select((eb: Eb) => [
        eb.fn<string>('lower', ['first_name']).as('l'),
        eb.fn.coalesce('last_name', eb.val('none')).as('c'),
      ]),
  case: (db) =>
    db
      .selectFrom('person')
      .select((eb) => eb.case().when('age', '>', 40).then('old').else('young').end().as('bucket')),
  view: (db) => db.selectFrom('adult').selectAll(),
  'raw-fragment': (db) => db.selectFrom('person').select(sql<string>`upper(first_name)`.as('u')),
  'no-from': (db) => db.selectNoFrom((eb) => eb.val(1).as('one')),
};

/** Row-locking clauses, none included. */
const LOCKS: Record<string, (query: AnySelect) => AnySelect> = {
  none: (q) => q,
  'for-update': (q) => q.forUpdate(),
  'for-share': (q) => q.forShare(),
  'for-no-key-update': (q) => q.forNoKeyUpdate(),
  'for-key-share': (q) => q.forKeyShare(),
  'for-update-skip-locked': (q) => q.forUpdate().skipLocked(),
  'for-share-nowait': (q) => q.forShare().noWait(),
};

/** Where a SELECT sits in the statement. */
const WRAPPERS: Record<string, (db: Db, query: AnySelect) => AnySelect> = {
  plain: (_db, q) => q,
  'derived-table': (db, q) => db.selectFrom(q.as('s')).selectAll(),
  cte: (db, q) =>
    db
      .with('w', () => q)
      .selectFrom('w')
      .selectAll(),
  exists: (db, q) => db.selectNoFrom((eb) => eb.exists(q).as('e')),
  'union-all': (_db, q) => q.unionAll(q),
};

/** Roots that write, with data-modifying CTEs and MERGE. */
const WRITE_SHAPES: Record<string, (db: Db) => { compile(): CorpusStatement['query'] }> = {
  insert: (db) => db.insertInto('person').values({ id: 1000, first_name: 'new' }),
  'insert-returning': (db) => db.insertInto('person').values({ id: 1001, first_name: 'new' }).returning('id'),
  'insert-on-conflict': (db) =>
    db
      .insertInto('person')
      .values({ id: 1, first_name: 'again' })
      .onConflict((oc) => oc.column('id').doUpdateSet({ first_name: 'again' })),
  'insert-select': (db) =>
    db
      .insertInto('audit_log')
      .columns(['message'])
      .expression((eb) => eb.selectFrom('person').select('first_name').where('id', '<', 3)),
  update: (db) => db.updateTable('person').set({ age: 1 }).where('id', '=', 1),
  'update-from': (db) =>
    db
      .updateTable('pet')
      .set({ name: 'renamed' })
      .from('person')
      .whereRef('pet.owner_id', '=', 'person.id')
      .where('person.id', '=', 1),
  delete: (db) => db.deleteFrom('toy').where('id', '=', 1),
  'delete-returning': (db) => db.deleteFrom('toy').where('id', '=', 2).returning('id'),
  merge: (db) =>
    db
      .mergeInto('person as p')
      .using('pet as s', 'p.id', 's.id')
      .whenMatched()
      .thenUpdateSet({ age: 2 })
      .whenNotMatched()
      .thenDoNothing(),
  'cte-insert': (db) =>
    db
      .with('i', (q) => q.insertInto('audit_log').values({ message: 'cte' }).returning('id'))
      .selectFrom('i')
      .selectAll(),
  'cte-update': (db) =>
    db
      .with('u', (q) => q.updateTable('person').set({ age: 3 }).where('id', '=', 1).returning('id'))
      .selectFrom('u')
      .selectAll(),
  'cte-delete': (db) =>
    db
      .with('d', (q) => q.deleteFrom('toy').where('id', '=', 3).returning('id'))
      .selectFrom('d')
      .selectAll(),
  'cte-read-then-insert': (db) =>
    db
      .with('r', (q) => q.selectFrom('person').select('id').where('id', '=', 1))
      .with('i', (q) => q.insertInto('audit_log').values({ message: 'after read' }).returning('id'))
      .selectFrom('r')
      .selectAll(),
  'cte-insert-into-write': (db) =>
    db
      .with('i', (q) => q.insertInto('audit_log').values({ message: 'chain' }).returning('id'))
      .deleteFrom('toy')
      .where('id', '=', 4),
};

/**
 * Every builder statement of the corpus for `dialect`: SELECT shapes x locking clauses x positions, write roots,
 * and function calls in every form. SQLite has no row locks: its corpus has the unlocked shapes only.
 */
export function builderStatements(db: Db, dialect: 'postgres' | 'sqlite'): CorpusStatement[] {
  const statements: CorpusStatement[] = [];
  const add = (
    id: string,
    build: () => { compile(): CorpusStatement['query'] },
    limitation?: KnownLimitation,
  ) => {
    const query = build().compile();
    statements.push(
      limitation === undefined
        ? { id, family: 'builder', query }
        : { id, family: 'builder', query, limitation },
    );
  };
  const locks = dialect === 'postgres' ? Object.entries(LOCKS) : [['none', LOCKS.none!] as const];
  for (const [shape, build] of Object.entries(SELECT_SHAPES)) {
    if (dialect === 'sqlite' && shape === 'distinct-on') continue;
    for (const [lock, addLock] of locks) {
      for (const [position, wrap] of Object.entries(WRAPPERS)) {
        add(`builder/${shape}/${lock}/${position}`, () => wrap(db, addLock(build(db))));
      }
    }
  }
  for (const [shape, build] of Object.entries(WRITE_SHAPES)) add(`builder/write/${shape}`, () => build(db));
  if (dialect === 'postgres') {
    for (const call of BUILDER_FUNCTION_CALLS) {
      for (const [form, build] of Object.entries(CALL_FORMS)) {
        add(`builder/fn/${call.name}/${form}`, () => build(db, call.name, call.args), call.limitation);
      }
    }
    add(
      'builder/view/audited-person',
      () => db.selectFrom('audited_person').selectAll(),
      'user-function-writes',
    );
  } else {
    for (const call of SQLITE_BUILDER_FUNCTION_CALLS) {
      for (const [form, build] of Object.entries(CALL_FORMS)) {
        if (form !== 'schema-qualified')
          add(`builder/fn/${call.name}/${form}`, () => build(db, call.name, call.args));
      }
    }
  }
  return statements;
}
