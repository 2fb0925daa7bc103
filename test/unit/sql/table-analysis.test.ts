import { type RootOperationNode, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { readTablesOf } from '../../../src/sql/read-tables.js';
import { writtenTablesOf } from '../../../src/sql/written-tables.js';
import { compileOnlyDb } from '../../support/compile-only-db.js';

interface DB {
  person: { id: number; name: string; updated_at: Date };
  pet: { id: number; owner_id: number; name: string };
  toy: { id: number; pet_id: number };
  archive: { id: number; name: string };
  audit: { id: number; note: string };
  'app.account': { id: number; person_id: number };
}

const db = compileOnlyDb<DB>();

interface Case {
  readonly query: { toOperationNode(): RootOperationNode } | RootOperationNode;
  readonly reads: string[] | undefined;
  readonly writes: string[] | undefined;
}

const node = (query: Case['query']): RootOperationNode =>
  'toOperationNode' in query ? query.toOperationNode() : query;

const cases = {
  'plain select': {
    query: db.selectFrom('person').selectAll(),
    reads: ['person'],
    writes: [],
  },
  'joins with aliases and a schema': {
    query: db
      .selectFrom('person as p')
      .innerJoin('pet', 'pet.owner_id', 'p.id')
      .leftJoin('app.account as a', 'a.person_id', 'p.id')
      .select(['p.name', 'pet.name as pet']),
    reads: ['app.account', 'person', 'pet'],
    writes: [],
  },
  'subquery in where and in select': {
    query: db
      .selectFrom('person')
      .select((eb) => [
        'person.id',
        eb
          .selectFrom('toy')
          .select(eb.fn.countAll().as('n'))
          .whereRef('toy.pet_id', '=', 'person.id')
          .as('toys'),
      ])
      .where('person.id', 'in', db.selectFrom('pet').select('pet.owner_id')),
    reads: ['person', 'pet', 'toy'],
    writes: [],
  },
  'exists subquery': {
    query: db
      .selectFrom('person')
      .selectAll()
      .where(({ exists, selectFrom }) => exists(selectFrom('audit').select('audit.id'))),
    reads: ['audit', 'person'],
    writes: [],
  },
  CTEs: {
    query: db
      .with('owners', (qb) => qb.selectFrom('pet').select('owner_id'))
      .selectFrom('owners')
      .innerJoin('person', 'person.id', 'owners.owner_id')
      .selectAll('person'),
    reads: ['owners', 'person', 'pet'],
    writes: [],
  },
  'union and except': {
    query: db
      .selectFrom('person')
      .select('name')
      .union(db.selectFrom('archive').select('name'))
      .except(db.selectFrom('pet').select('name')),
    reads: ['archive', 'person', 'pet'],
    writes: [],
  },
  'derived table': {
    query: db.selectFrom(db.selectFrom('toy').selectAll().as('t')).selectAll(),
    reads: ['toy'],
    writes: [],
  },
  'select for update writes nothing': {
    query: db.selectFrom('person').selectAll().forUpdate(),
    reads: ['person'],
    writes: [],
  },
  'insert ... select': {
    query: db
      .insertInto('archive')
      .columns(['id', 'name'])
      .expression(db.selectFrom('person').select(['id', 'name'])),
    reads: ['archive', 'person'],
    writes: ['archive'],
  },
  'insert ... on conflict with a raw expression': {
    query: db
      .insertInto('person')
      .values({ id: 1, name: 'Ada', updated_at: sql<Date>`now()` })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: 'Ada' })),
    reads: undefined,
    writes: ['person'],
  },
  'update ... from': {
    query: db
      .updateTable('pet')
      .from('person')
      .set((eb) => ({ name: eb.ref('person.name') }))
      .whereRef('pet.owner_id', '=', 'person.id'),
    reads: ['person', 'pet'],
    writes: ['pet'],
  },
  'update with an alias and a subquery': {
    query: db
      .updateTable('person as p')
      .set({ name: 'x' })
      .where('p.id', 'in', db.selectFrom('pet').select('owner_id')),
    reads: ['person', 'pet'],
    writes: ['person'],
  },
  'update with sql`now()` keeps known writes': {
    query: db.updateTable('person').set({ updated_at: sql<Date>`now()` }).where('id', '=', 1),
    reads: undefined,
    writes: ['person'],
  },
  'delete using': {
    query: db
      .deleteFrom('toy')
      .using('pet')
      .whereRef('toy.pet_id', '=', 'pet.id')
      .where('pet.name', '=', 'Rex'),
    reads: ['pet', 'toy'],
    writes: ['toy'],
  },
  'delete from a schema-qualified table': {
    query: db.deleteFrom('app.account').where('id', '=', 1),
    reads: ['app.account'],
    writes: ['app.account'],
  },
  'data-modifying CTE': {
    query: db
      .with('moved', (qb) => qb.deleteFrom('person').where('id', '<', 10).returning(['id', 'name']))
      .insertInto('archive')
      .columns(['id', 'name'])
      .expression((eb) => eb.selectFrom('moved').select(['id', 'name'])),
    reads: ['archive', 'moved', 'person'],
    writes: ['archive', 'person'],
  },
  'data-modifying CTE under a select': {
    query: db
      .with('touched', (qb) => qb.updateTable('pet').set({ name: 'x' }).returning('id'))
      .selectFrom('touched')
      .selectAll(),
    reads: ['pet', 'touched'],
    writes: ['pet'],
  },
  'merge into': {
    query: db
      .mergeInto('person as target')
      .using('archive as source', 'source.id', 'target.id')
      .whenMatched()
      .thenUpdateSet({ name: 'merged' })
      .whenNotMatched()
      .thenInsertValues({ id: 1, name: 'new', updated_at: new Date(0) }),
    reads: ['archive', 'person'],
    writes: ['person'],
  },
  'raw statement': {
    query: sql`select * from person`.compile(db).query,
    reads: undefined,
    writes: undefined,
  },
  'raw CTE body': {
    query: db
      .with('gone', () => sql<{ id: number }>`delete from person returning id`)
      .selectFrom('gone')
      .selectAll(),
    reads: undefined,
    writes: undefined,
  },
  'raw select expression': {
    query: db.selectFrom('person').select(sql<number>`count(*)`.as('n')),
    reads: undefined,
    writes: [],
  },
  'raw write target': {
    query: db.deleteFrom(sql<{ id: number }>`person`.as('p')).where('p.id', '=', 1),
    reads: undefined,
    writes: undefined,
  },
  'create table (DDL)': {
    query: db.schema.createTable('thing').addColumn('id', 'integer'),
    reads: ['thing'],
    writes: undefined,
  },
  'drop table (DDL)': {
    query: db.schema.dropTable('pet'),
    reads: ['pet'],
    writes: undefined,
  },
  'refresh materialized view': {
    query: db.schema.refreshMaterializedView('app.person_stats'),
    reads: [],
    writes: ['app.person_stats'],
  },
} satisfies Record<string, Case>;

describe('readTablesOf', () => {
  it.each(Object.entries(cases))('%s', (_name, { query, reads }) => {
    expect(readTablesOf(node(query))).toEqual(reads);
  });

  it('covers node kinds it does not know by walking every property', () => {
    const inner = db.selectFrom('toy').selectAll().toOperationNode();
    const future = { kind: 'FutureClauseNode', payload: { deeper: [inner] } };
    const select = db.selectFrom('person').selectAll().toOperationNode();
    const tree = { ...select, endModifiers: [future] } as unknown as RootOperationNode;
    expect(readTablesOf(tree)).toEqual(['person', 'toy']);
  });

  it('does not look into parameter values', () => {
    const query = db
      .selectFrom('person')
      .selectAll()
      .where('name', '=', { kind: 'RawNode' } as never);
    expect(readTablesOf(query.toOperationNode())).toEqual(['person']);
  });
});

describe('writtenTablesOf', () => {
  it.each(Object.entries(cases))('%s', (_name, { query, writes }) => {
    expect(writtenTablesOf(node(query))).toEqual(writes);
  });

  it('answers unknown for a root kind it has never seen', () => {
    expect(writtenTablesOf({ kind: 'FutureStatementNode' } as unknown as RootOperationNode)).toBeUndefined();
  });
});
