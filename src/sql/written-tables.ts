import type {
  CommonTableExpressionNode,
  DeleteQueryNode,
  InsertQueryNode,
  MergeQueryNode,
  OperationNode,
  RefreshMaterializedViewNode,
  RootOperationNode,
  UpdateQueryNode,
} from 'kysely';
import { collectTables } from './read-tables.js';
import type { RootKind } from './root-kind-routes.js';
import { walkQueryTree } from './walk-query-tree.js';

/**
 * What a root node kind can write. Typed over every root kind, so a root kind added by a Kysely release
 * fails the build here instead of being taken for a read.
 *
 * - `statement`: a query whose writes are visible in the tree (DML targets, data-modifying CTEs).
 * - `refresh`: rewrites the named materialized view.
 * - `schema`: DDL; anything may change, so the answer is "unknown".
 * - `unknown`: raw SQL.
 */
const rootWrites = {
  SelectQueryNode: 'statement',
  InsertQueryNode: 'statement',
  UpdateQueryNode: 'statement',
  DeleteQueryNode: 'statement',
  MergeQueryNode: 'statement',
  RefreshMaterializedViewNode: 'refresh',
  CreateTableNode: 'schema',
  CreateIndexNode: 'schema',
  CreateSchemaNode: 'schema',
  CreateViewNode: 'schema',
  CreateTypeNode: 'schema',
  DropTableNode: 'schema',
  DropIndexNode: 'schema',
  DropSchemaNode: 'schema',
  DropViewNode: 'schema',
  DropTypeNode: 'schema',
  AlterTableNode: 'schema',
  AlterTypeNode: 'schema',
  RawNode: 'unknown',
} as const satisfies Record<RootKind, 'statement' | 'refresh' | 'schema' | 'unknown'>;

/**
 * The tables a statement writes: the target of `insert`, `update`, `delete` and `merge`, including
 * data-modifying CTEs (`with x as (delete from a returning *) insert into b select * from x` writes `a` and `b`).
 * A plain `select` writes nothing (`[]`). Names carry their schema when the query has one.
 *
 * Returns `undefined` when the writes are unknown: raw SQL as the statement, as a CTE body or as a write
 * target, and DDL (`create`, `alter`, `drop`). The router then clears the cache or invalidates conservatively.
 *
 * Raw SQL inside expressions (`set({ updated_at: sql\`now()\` })`) does not make the writes unknown: neither
 * PostgreSQL nor SQLite lets a statement write from an expression, only from `WITH`. Writes done by triggers,
 * foreign-key cascades, rules or functions are not visible here; read-your-writes does not depend on this
 * analysis (positions guarantee it), only how soon other sessions in the isolate see new rows.
 *
 * ### Examples
 * ```ts
 * writtenTablesOf(db.updateTable('person').set({ name: 'Ada' }).where('id', '=', 1).toOperationNode()) // ['person']
 * writtenTablesOf(sql`truncate person`.compile(db).query) // undefined
 * ```
 */
export function writtenTablesOf(node: RootOperationNode): string[] | undefined {
  const kind: string = node.kind;
  const writes: string | undefined = rootWrites[kind as keyof typeof rootWrites];
  if (writes === 'refresh') {
    const { schema, identifier } = (node as RefreshMaterializedViewNode).name;
    return [schema === undefined ? identifier.name : `${schema.name}.${identifier.name}`];
  }
  if (writes !== 'statement') return undefined;
  const tables = new Set<string>();
  return collectWrites(node, tables) ? [...tables].sort() : undefined;
}

/**
 * Collects write targets under `root`; false when they are unknown. The walk's context says whether it is
 * inside a `merge`, whose `when ... then insert/update/delete` actions have no target of their own.
 */
function collectWrites(root: OperationNode, into: Set<string>): boolean {
  let known = true;
  const end = walkQueryTree<boolean>(
    root,
    (node, inMerge) => {
      switch (node.kind) {
        case 'ReferenceNode':
          return 'skip';
        case 'CommonTableExpressionNode':
          // A raw CTE body may be `delete ... returning *`.
          if ((node as CommonTableExpressionNode).expression.kind === 'RawNode') known = false;
          return known ? 'descend' : 'stop';
        case 'MergeQueryNode':
          if (!collectTarget(targetOf(node), into)) known = false;
          return known ? { context: true } : 'stop';
        case 'InsertQueryNode':
        case 'UpdateQueryNode':
        case 'DeleteQueryNode': {
          const target = targetOf(node);
          if (!(target === undefined && inMerge) && !collectTarget(target, into)) known = false;
          return known ? { context: false } : 'stop';
        }
        default:
          return 'descend';
      }
    },
    false,
  );
  return known && end === 'complete';
}

function targetOf(node: OperationNode): OperationNode | undefined {
  switch (node.kind) {
    case 'InsertQueryNode':
      return (node as InsertQueryNode).into;
    case 'UpdateQueryNode':
      return (node as UpdateQueryNode).table;
    case 'DeleteQueryNode':
      return (node as DeleteQueryNode).from;
    case 'MergeQueryNode':
      return (node as MergeQueryNode).into;
    default:
      return undefined;
  }
}

/** A write target must name at least one table and contain no raw SQL, or the writes are unknown. */
function collectTarget(target: OperationNode | undefined, into: Set<string>): boolean {
  if (target === undefined) return false;
  const targets = new Set<string>();
  if (!collectTables(target, targets) || targets.size === 0) return false;
  for (const table of targets) into.add(table);
  return true;
}
