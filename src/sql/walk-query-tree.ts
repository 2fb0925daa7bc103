import type { OperationNode, TableNode } from 'kysely';

/**
 * @internal Collects the names of every `TableNode` under `value` into `into`, visiting every property of
 * every node instead of listing node kinds, so node kinds added by later Kysely releases are covered.
 * Returns `false` as soon as a node for which `stop` answers true is met (the caller then knows nothing).
 *
 * Plain objects without a `kind` are walked too, so a future node may wrap its children however it likes.
 * Skipped, because they cannot introduce a table: `ValueNode` and `PrimitiveValueListNode` (the user's
 * parameter values; a large JSON or binary parameter would otherwise be walked) and `ReferenceNode` (a
 * column reference whose qualifier is a table or alias already named in a `FROM`).
 *
 * ### Examples
 * ```ts
 * const tables = new Set<string>()
 * const known = collectTables(node, tables, (n) => n.kind === 'RawNode')
 * ```
 */
export function collectTables(
  value: unknown,
  into: Set<string>,
  stop: (node: OperationNode) => boolean,
): boolean {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (!collectTables(item, into, stop)) return false;
    }
    return true;
  }
  if (!isPlainObject(value)) return true;
  if (isOperationNode(value)) {
    if (stop(value)) return false;
    switch (value.kind) {
      case 'TableNode':
        into.add(tableNameOf(value as TableNode));
        return true;
      case 'ValueNode':
      case 'PrimitiveValueListNode':
      case 'ReferenceNode':
        return true;
    }
  }
  for (const key of Object.keys(value)) {
    if (key !== 'kind' && !collectTables((value as unknown as Record<string, unknown>)[key], into, stop))
      return false;
  }
  return true;
}

/**
 * @internal True for objects built from `{}` literals, as Kysely's nodes are (never a `Date`, a typed array
 * or another class instance).
 *
 * ### Examples
 * ```ts
 * isPlainObject({ kind: 'TableNode' }) // true
 * isPlainObject(new Date()) // false
 * ```
 */
export function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * @internal True for objects shaped like Kysely operation nodes (a string `kind`).
 *
 * ### Examples
 * ```ts
 * isOperationNode({ kind: 'TableNode' }) // true
 * ```
 */
export function isOperationNode(value: unknown): value is OperationNode {
  return (
    typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string'
  );
}

/**
 * @internal `schema.table` or `table`, as written in the query.
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
