import { InsertQueryNode, type QueryResult, type RootOperationNode } from 'kysely';
import { writesRows } from '../../sql/root-kind-routes.js';
import type { D1ResultLike } from './d1-binding.js';

/**
 * Turns a D1 result into Kysely's `QueryResult`: rows as D1 returns them, `numAffectedRows` for
 * insert/update/delete/merge (and raw statements without rows), `insertId` for inserts only (D1 reports the
 * connection's last row id after any statement).
 *
 * ### Examples
 * ```ts
 * const result = d1QueryResult(await session.prepare(sql).bind(...params).all(), compiled.query)
 * ```
 */
export function d1QueryResult<R>(result: D1ResultLike, query: RootOperationNode | undefined): QueryResult<R> {
  const rows = (result.results ?? []) as R[];
  const writes = query !== undefined && writesRows(query);
  const rawWithoutRows = !writes && (query === undefined || query.kind === 'RawNode') && rows.length === 0;
  if (!writes && !rawWithoutRows) return { rows };
  const changes = result.meta?.changes ?? 0;
  const lastRowId = result.meta?.last_row_id;
  const insertId =
    (query !== undefined && InsertQueryNode.is(query)) || (rawWithoutRows && changes > 0)
      ? lastRowId
      : undefined;
  return {
    rows,
    numAffectedRows: BigInt(changes),
    ...(typeof insertId === 'number' ? { insertId: BigInt(insertId) } : {}),
  };
}
