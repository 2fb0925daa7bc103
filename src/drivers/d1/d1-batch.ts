import { type Compilable, type CompiledQuery, createQueryId, type Kysely, RawNode } from 'kysely';
import { EdgeDbError } from '../../errors/edge-db-error.js';

/** Where a batch's statements travel on the compiled query that carries them. */
export const D1_BATCH: unique symbol = Symbol.for('edge-db.d1.batch') as never;

/** A compiled query that stands for a D1 batch of statements. */
export interface D1BatchQuery extends CompiledQuery<unknown> {
  readonly [D1_BATCH]: readonly CompiledQuery[];
}

/** The rows of each query of a batch, in order. */
export type D1BatchResults<Q extends readonly Compilable<unknown>[]> = {
  -readonly [K in keyof Q]: Q[K] extends Compilable<infer O> ? O[] : never;
};

/**
 * Runs queries as one D1 batch: one round trip, applied atomically (D1 rolls the whole batch back when a
 * statement fails). D1 has no interactive transactions, so this is the way to write several rows together;
 * `db.transaction()` fails with `UNSUPPORTED` on D1. Works on `edgeDb` instances (the batch is one write
 * on the request's D1 session, so read-your-writes and cache invalidation cover it) and on a plain
 * `new Kysely({ dialect: d1(...).dialect })`.
 *
 * Results keep Kysely's types: one array of rows per query.
 *
 * ### Examples
 * ```ts
 * const [, people] = await d1Batch(db, [
 *   db.insertInto('person').values({ id: 2, name: 'Ada' }),
 *   db.selectFrom('person').selectAll(),
 * ])
 * ```
 */
export async function d1Batch<const Q extends readonly Compilable<unknown>[]>(
  db: Kysely<any>,
  queries: Q,
): Promise<D1BatchResults<Q>> {
  if (!Array.isArray(queries) || queries.length === 0) {
    throw new EdgeDbError('CONFIG_INVALID', 'd1Batch needs at least one query');
  }
  const compiled = queries.map((query) => query.compile());
  // One SQL text for the router: it classifies the batch (any write makes it a write) and names it in events.
  const sql = compiled.map((query) => query.sql).join(';\n');
  const batch: D1BatchQuery = Object.freeze({
    query: RawNode.createWithSql(sql),
    queryId: createQueryId(),
    sql,
    parameters: Object.freeze(compiled.flatMap((query) => [...query.parameters])),
    [D1_BATCH]: Object.freeze(compiled),
  });
  const result = await db.executeQuery(batch);
  const rows = result.rows as unknown;
  if (!Array.isArray(rows) || rows.length !== compiled.length) {
    throw new EdgeDbError(
      'UNSUPPORTED',
      'd1Batch runs only on edge-db/d1 backends: this Kysely instance did not run the batch on D1',
    );
  }
  return rows as D1BatchResults<Q>;
}

/** True when `query` is a batch made by {@link d1Batch}. */
export function isD1Batch(query: CompiledQuery): query is D1BatchQuery {
  return D1_BATCH in query;
}
