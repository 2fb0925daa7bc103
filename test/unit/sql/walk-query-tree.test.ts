import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { analyzeQuery } from '../../../src/sql/analyze-query.js';
import { classifyQuery } from '../../../src/sql/classify-query.js';
import { readTablesOf } from '../../../src/sql/read-tables.js';
import { MAX_WALK_OBJECTS, walkQueryTree } from '../../../src/sql/walk-query-tree.js';
import { writtenTablesOf } from '../../../src/sql/written-tables.js';
import { compileOnlyDb } from '../../support/compile-only-db.js';

const db = compileOnlyDb();

/** A parameter value that counts every time the analysis looks inside it. */
function watchedValue(): { value: object; looks: () => number } {
  let looks = 0;
  const value = new Proxy(
    { a: 1, nested: { b: [1, 2, 3] } },
    {
      get(target, key, receiver) {
        if (typeof key === 'string') looks++;
        return Reflect.get(target, key, receiver);
      },
      ownKeys(target) {
        looks++;
        return Reflect.ownKeys(target);
      },
    },
  );
  return { value, looks: () => looks };
}

describe('the one query-tree walk', () => {
  it('never looks inside parameter values (classification, read and written tables)', () => {
    const { value, looks } = watchedValue();
    const select = db
      .selectFrom('doc')
      .selectAll()
      .where('data', '=', value as never)
      .compile();
    const update = db
      .updateTable('doc')
      .set({ data: value as never })
      .where('id', '=', 1)
      .compile();
    expect(classifyQuery(select).requiresPrimary).toBe(false);
    expect(readTablesOf(select.query)).toEqual(['doc']);
    expect(writtenTablesOf(update.query)).toEqual(['doc']);
    expect(looks()).toBe(0);
  });

  it('routes a select with a cyclic parameter as a read, without crashing', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const query = db
      .selectFrom('doc')
      .selectAll()
      .where('data', '=', cyclic as never)
      .compile();
    expect(classifyQuery(query)).toMatchObject({ requiresPrimary: false, reason: 'read' });
    expect(readTablesOf(query.query)).toEqual(['doc']);
  });

  it('routes a select with an 8 MiB bytea parameter as a read', () => {
    const bytes = new Uint8Array(8 * 1024 * 1024);
    const query = db
      .selectFrom('blob')
      .select('id')
      .where('content', '=', bytes as never)
      .compile();
    expect(classifyQuery(query)).toMatchObject({ requiresPrimary: false, reason: 'read' });
    expect(analyzeQuery(query).readTables(query)).toEqual(['blob']);
  });

  it('gives up on trees past its bound, which the classification treats as unknown (primary)', () => {
    // One flat list of many columns: conditions nest (chained `.where()`, and `eb.and` on Kysely 0.29), and
    // the compilers recurse through nesting.
    const query = db
      .selectFrom('t')
      .select(Array.from({ length: MAX_WALK_OBJECTS / 2 }, (_, i) => `c${i}`) as never)
      .compile();
    expect(walkQueryTree(query.query, () => 'descend', undefined)).toBe('too-large');
    expect(classifyQuery(query)).toMatchObject({ requiresPrimary: true, reason: 'unknown' });
    expect(readTablesOf(query.query)).toBeUndefined();
  });

  it('stops, skips and passes a context to children as the visitor asks', () => {
    const query = db
      .with('gone', (qb) => qb.deleteFrom('a').returningAll())
      .selectFrom('gone')
      .selectAll()
      .compile();
    const seen: string[] = [];
    const end = walkQueryTree<string>(
      query.query,
      (node, depthLabel) => {
        seen.push(`${depthLabel}:${node.kind}`);
        if (node.kind === 'DeleteQueryNode') return 'stop';
        if (node.kind === 'WithNode') return { context: 'with' };
        return 'descend';
      },
      'root',
    );
    expect(end).toBe('stopped');
    expect(seen[0]).toBe('root:SelectQueryNode');
    expect(seen).toContain('with:DeleteQueryNode');
    expect(classifyQuery(query)).toMatchObject({ requiresPrimary: true, reason: 'write' });
  });

  it('memoizes the analysis by SQL text', () => {
    const first = db.selectFrom('person').selectAll().where('id', '=', 1).compile();
    const second = db.selectFrom('person').selectAll().where('id', '=', 2).compile();
    expect(analyzeQuery(first)).toBe(analyzeQuery(second));
    expect(analyzeQuery(sql`select 1`.compile(db)).queryClass.requiresPrimary).toBe(false);
  });
});
