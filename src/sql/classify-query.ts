import type {
  AggregateFunctionNode,
  CompiledQuery,
  FunctionNode,
  OperationNode,
  RootOperationNode,
  SelectModifierNode,
} from 'kysely';
import { classifySql } from './classify-sql.js';
import { functionEffects } from './function-catalogue.js';
import { primaryClass, type QueryClass, READ_CLASS } from './query-class.js';
import { ROOT_KIND_ROUTES } from './root-kind-routes.js';
import { walkQueryTree } from './walk-query-tree.js';

const NESTED_WRITE_KINDS = new Set([
  'InsertQueryNode',
  'UpdateQueryNode',
  'DeleteQueryNode',
  'MergeQueryNode',
]);
const LOCK_MODIFIERS = new Set(['ForUpdate', 'ForNoKeyUpdate', 'ForShare', 'ForKeyShare']);

/**
 * Decides whether a compiled Kysely query may run on a replica.
 *
 * Root kinds come from an exhaustive table ({@link ROOT_KIND_ROUTES}); a SELECT is inspected deeply: any
 * data-modifying node anywhere (CTEs, subqueries), a locking clause, or a side-effect function sends it to the
 * primary. Raw SQL, and SELECTs containing raw fragments, are classified from their text by a lexer that
 * skips comments, strings and quoted identifiers. Unknown means primary.
 *
 * ### Examples
 * ```ts
 * const compiled = db.selectFrom('person').selectAll().forUpdate().compile()
 * classifyQuery(compiled) // { requiresPrimary: true, reason: 'lock', detail: 'FOR UPDATE' }
 * ```
 */
export function classifyQuery(query: CompiledQuery): QueryClass {
  const root = query.query as RootOperationNode | undefined;
  const route = root === undefined ? 'raw' : ROOT_KIND_ROUTES[root.kind];
  if (route === undefined) return primaryClass('unknown', `unknown node kind ${String(root?.kind)}`);
  if (route === 'raw') return classifySql(query.sql);
  if (route !== 'inspect') return primaryClass(route, root!.kind.replace(/Node$/, ''));
  const found = inspectSelect(root!);
  if (found.verdict) return found.verdict;
  return found.hasRaw ? classifySql(query.sql) : READ_CLASS;
}

interface Inspection {
  verdict?: QueryClass;
  hasRaw: boolean;
}

function inspectSelect(root: OperationNode): Inspection {
  const state: Inspection = { hasRaw: false };
  const end = walkQueryTree(
    root,
    (node) => {
      switch (node.kind) {
        case 'RawNode':
          state.hasRaw = true;
          return 'descend';
        case 'SelectModifierNode': {
          const modifier = (node as SelectModifierNode).modifier;
          if (modifier !== undefined && LOCK_MODIFIERS.has(modifier)) {
            state.verdict = primaryClass('lock', modifier.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase());
            return 'stop';
          }
          return 'descend';
        }
        case 'FunctionNode':
        case 'AggregateFunctionNode': {
          const func = (node as FunctionNode | AggregateFunctionNode).func;
          if (typeof func === 'string' && functionEffects(func).writes) {
            state.verdict = primaryClass('side-effect', `calls ${func}()`);
            return 'stop';
          }
          return 'descend';
        }
        default:
          if (NESTED_WRITE_KINDS.has(node.kind)) {
            state.verdict = primaryClass(
              'write',
              `${node.kind.replace(/QueryNode$/, '').toUpperCase()} inside a SELECT`,
            );
            return 'stop';
          }
          return 'descend';
      }
    },
    undefined,
  );
  if (end === 'too-large') state.verdict = primaryClass('unknown', 'query too large to analyse');
  return state;
}
