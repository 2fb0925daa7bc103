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
