import type { OperationNode, TableNode } from 'kysely';
import { tableNameOf } from './table-name.js';
import { walkQueryTree } from './walk-query-tree.js';

/**
 * Every table a query references anywhere: `FROM`, joins, subqueries in any clause, CTEs, set operations
 * (`union`, `intersect`, `except`), `insert ... select` sources, `update ... from`, `delete ... using`.
 * Names carry their schema when the query has one (`app.person`). CTE names appear too (harmless: nothing
 * writes to them).
 *
 * Returns `undefined` when the query contains raw SQL (`sql\`...\`` anywhere, a `RawNode`) or is too large to
 * analyse: its tables are unknown, so the cached entry is dropped by any table invalidation.
 *
 * Functions and views that read other tables are not looked into: use tags or a short TTL for those.
 *
 * ### Examples
 * ```ts
 * const node = db.selectFrom('person').innerJoin('pet', 'pet.owner_id', 'person.id').selectAll().toOperationNode()
 * readTablesOf(node) // ['person', 'pet']
 * ```
 */
export function readTablesOf(node: OperationNode): string[] | undefined {
  const tables = new Set<string>();
  return collectTables(node, tables) ? [...tables].sort() : undefined;
}

/**
 * Adds the tables named under `node` to `into`; false when raw SQL makes them unknown (or the tree is too
 * large). A `ReferenceNode` is not entered: its qualifier is a table or alias already named in a `FROM`.
 */
export function collectTables(node: unknown, into: Set<string>): boolean {
  const end = walkQueryTree(
    node,
    (child) => {
      switch (child.kind) {
        case 'RawNode':
          return 'stop';
        case 'TableNode':
          into.add(tableNameOf(child as TableNode));
          return 'skip';
        case 'ReferenceNode':
          return 'skip';
        default:
          return 'descend';
      }
    },
    undefined,
  );
  return end === 'complete';
}
