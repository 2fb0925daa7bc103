import type { RootOperationNode } from 'kysely';
import { collectTables } from './walk-query-tree.js';

/**
 * Every table a query references anywhere: `FROM`, joins, subqueries in any clause, CTEs, set operations
 * (`union`, `intersect`, `except`), `insert ... select` sources, `update ... from`, `delete ... using`.
 * Names carry their schema when the query has one (`app.person`). CTE names appear too (harmless: nothing
 * writes to them).
 *
 * Returns `undefined` when the query contains raw SQL (`sql\`...\`` anywhere, a `RawNode`): its tables are
 * unknown, so the cached entry is dropped by any table invalidation.
 *
 * Functions and views that read other tables are not looked into: use tags or a short TTL for those.
 *
 * ### Examples
 * ```ts
 * const node = db.selectFrom('person').innerJoin('pet', 'pet.owner_id', 'person.id').selectAll().toOperationNode()
 * readTablesOf(node) // ['person', 'pet']
 * ```
 */
export function readTablesOf(node: RootOperationNode): string[] | undefined {
  const tables = new Set<string>();
  const known = collectTables(node, tables, (child) => child.kind === 'RawNode');
  return known ? [...tables].sort() : undefined;
}
