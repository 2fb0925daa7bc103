import type { TableNode } from 'kysely';

/**
 * The form in which the cache compares table names: without schema, lower-cased. `public.Person`,
 * `Person` and `other.person` all become `person`. Comparing this loosely can only invalidate more
 * entries than needed, never fewer, which is the safe direction for a cache.
 *
 * ### Examples
 * ```ts
 * normalizeTableName('public.Person') // 'person'
 * ```
 */
export function normalizeTableName(table: string): string {
  const dot = table.lastIndexOf('.');
  return (dot === -1 ? table : table.slice(dot + 1)).toLowerCase();
}

/**
 * `schema.table` or `table`, as written in the query.
 *
 * ### Examples
 * ```ts
 * tableNameOf(TableNode.createWithSchema('app', 'person')) // 'app.person'
 * ```
 */
export function tableNameOf(node: TableNode): string {
  const { schema, identifier } = node.table;
  return schema === undefined ? identifier.name : `${schema.name}.${identifier.name}`;
}
