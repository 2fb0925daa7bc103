import type { ResultSet } from '@libsql/client';
import { InsertQueryNode, type QueryResult, type RootOperationNode } from 'kysely';
import { writesRows } from '../../sql/root-kind-routes.js';

/**
 * Turns a libSQL `ResultSet` into Kysely's `QueryResult`: rows as plain objects (blobs as `Uint8Array`),
 * `numAffectedRows` for insert/update/delete/merge (and raw statements that return no columns), `insertId`
 * for inserts (and such raw statements).
 *
 * ### Examples
 * ```ts
 * const result = toQueryResult(await client.execute(compiled), compiled.query)
 * ```
 */
export function toQueryResult<R>(resultSet: ResultSet, query: RootOperationNode): QueryResult<R> {
  const rows = resultSet.rows.map((row) => rowToObject(resultSet.columns, row) as R);
  const writes = writesRows(query);
  // Raw SQL gives no node kind: like Kysely's SQLite driver, a statement without result columns counts as a write.
  const rawWithoutColumns = !writes && query.kind === 'RawNode' && resultSet.columns.length === 0;
  if (!writes && !rawWithoutColumns) return { rows };
  const insertId =
    (InsertQueryNode.is(query) || rawWithoutColumns) && resultSet.lastInsertRowid !== undefined
      ? BigInt(resultSet.lastInsertRowid)
      : undefined;
  return {
    rows,
    numAffectedRows: BigInt(resultSet.rowsAffected),
    ...(insertId === undefined ? {} : { insertId }),
  };
}

function rowToObject(columns: readonly string[], row: ArrayLike<unknown>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) {
    const value = row[i];
    object[columns[i] as string] = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
  }
  return object;
}
