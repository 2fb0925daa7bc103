import type { RootOperationNode } from 'kysely';
import type { QueryClassReason } from './query-class.js';

/**
 * How each kind of Kysely root node is routed before looking inside it:
 * - `inspect`: a SELECT; it may go to a replica if nothing inside it writes, locks or has side effects;
 * - `raw`: raw SQL; its text decides;
 * - any other value: the reason it always runs on the primary.
 *
 * The mapped type lists every root kind Kysely has: when a Kysely release adds one, this object stops
 * compiling, so a new kind can never silently reach a replica.
 */
/**
 * Every root kind of the installed Kysely, plus those of the other supported release (Kysely 0.29 adds
 * `AlterTypeNode`), so the table compiles against 0.28 and 0.29 and still breaks on a kind neither knows.
 */
export type RootKind = RootOperationNode['kind'] | 'AlterTypeNode';

export const ROOT_KIND_ROUTES: {
  readonly [K in RootKind]: 'inspect' | 'raw' | Exclude<QueryClassReason, 'read'>;
} = {
  SelectQueryNode: 'inspect',
  RawNode: 'raw',
  InsertQueryNode: 'write',
  UpdateQueryNode: 'write',
  DeleteQueryNode: 'write',
  MergeQueryNode: 'write',
  CreateTableNode: 'ddl',
  CreateIndexNode: 'ddl',
  CreateSchemaNode: 'ddl',
  CreateViewNode: 'ddl',
  CreateTypeNode: 'ddl',
  RefreshMaterializedViewNode: 'ddl',
  DropTableNode: 'ddl',
  DropIndexNode: 'ddl',
  DropSchemaNode: 'ddl',
  DropViewNode: 'ddl',
  DropTypeNode: 'ddl',
  AlterTableNode: 'ddl',
  AlterTypeNode: 'ddl',
};

/** True for the root kinds that write rows (insert, update, delete, merge): those with affected rows to report. */
export function writesRows(root: RootOperationNode): boolean {
  return ROOT_KIND_ROUTES[root.kind as RootKind] === 'write';
}
