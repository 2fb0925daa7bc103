import type { OperationNode } from 'kysely';

/** What a visitor of {@link walkQueryTree} asks for after seeing a node. */
export type WalkStep = 'descend' | 'skip' | 'stop';

/** How a walk ended: every node seen, stopped by the visitor, or given up because the tree is too large. */
export type WalkEnd = 'complete' | 'stopped' | 'too-large';

/**
 * The most objects one walk visits. Kysely trees of real queries have hundreds of nodes; a tree past this
 * bound (or a cyclic one, which only hand-built nodes can be) ends the walk as `too-large`, which every caller
 * treats as "unknown" (primary, no cache).
 */
export const MAX_WALK_OBJECTS = 20_000;

/** Node kinds whose properties are the user's parameter values: never entered (a large JSON or bytea value). */
const VALUE_KINDS = new Set(['ValueNode', 'PrimitiveValueListNode']);

/**
 * The one walk over Kysely operation trees used by the SQL analysis (classification, read and written tables).
 *
 * Visits every operation node under `root` depth first, in property order, calling `visit(node, context)`.
 * The visitor answers `descend` (visit the node's children with the same context), `skip` (not its children),
 * `stop` (end the walk), or `{ context }` (descend, giving the children another context).
 *
 * Every property of every node is followed instead of a list of node kinds, so kinds added by later Kysely
 * releases are covered; plain objects without a `kind` are walked too. Never entered: `ValueNode` and
 * `PrimitiveValueListNode` (parameter values), and anything that is not a plain object or array (a `Date`, a
 * `Uint8Array`, a class instance). Bounded by {@link MAX_WALK_OBJECTS}, so its cost never depends on the
 * size of the values and a cycle cannot hang it.
 *
 * ### Examples
 * ```ts
 * const tables: string[] = []
 * walkQueryTree(node, (child) => {
 *   if (child.kind === 'TableNode') tables.push(tableNameOf(child as TableNode))
 *   return 'descend'
 * }, undefined)
 * ```
 */
export function walkQueryTree<C>(
  root: unknown,
  visit: (node: OperationNode, context: C) => WalkStep | { readonly context: C },
  context: C,
): WalkEnd {
  const values: unknown[] = [root];
  const contexts: C[] = [context];
  let visited = 0;
  while (values.length > 0) {
    const value = values.pop();
    const current = contexts.pop() as C;
    if (typeof value !== 'object' || value === null) continue;
    if (++visited > MAX_WALK_OBJECTS) return 'too-large';
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        values.push(value[i]);
        contexts.push(current);
      }
      continue;
    }
    if (!isPlainObject(value)) continue;
    let childContext = current;
    const kind = (value as { kind?: unknown }).kind;
    if (typeof kind === 'string') {
      if (VALUE_KINDS.has(kind)) continue;
      const step = visit(value as OperationNode, current);
      if (step === 'stop') return 'stopped';
      if (step === 'skip') continue;
      if (step !== 'descend') childContext = step.context;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      if (key === 'kind') continue;
      values.push((value as Record<string, unknown>)[key]);
      contexts.push(childContext);
    }
  }
  return 'complete';
}

/** True for objects built from `{}` literals, as Kysely's nodes are. */
function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
