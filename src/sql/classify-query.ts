import type { CompiledQuery, OperationNode, RootOperationNode } from 'kysely';
import { classifySql } from './classify-sql.js';
import { isSideEffectFunction } from './function-catalogue.js';
import { primaryClass, type QueryClass, READ_CLASS } from './query-class.js';
import { ROOT_KIND_ROUTES } from './root-kind-routes.js';

const NESTED_WRITE_KINDS = new Set([
  'InsertQueryNode',
  'UpdateQueryNode',
  'DeleteQueryNode',
  'MergeQueryNode',
]);
const LOCK_MODIFIERS = new Set(['ForUpdate', 'ForNoKeyUpdate', 'ForShare', 'ForKeyShare']);

/** Raw SQL texts repeat (migrations, health checks, hand-written reports): remember recent verdicts. */
const rawVerdicts = new Map<string, QueryClass>();
const RAW_VERDICT_LIMIT = 512;

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
  if (route === 'raw') return classifyRawSql(query.sql);
  if (route !== 'inspect') return primaryClass(route, root!.kind.replace(/Node$/, ''));
  const found = inspectSelect(root!);
  if (found.verdict) return found.verdict;
  return found.hasRaw ? classifyRawSql(query.sql) : READ_CLASS;
}

function classifyRawSql(sql: string): QueryClass {
  let verdict = rawVerdicts.get(sql);
  if (verdict === undefined) {
    verdict = classifySql(sql);
    if (rawVerdicts.size >= RAW_VERDICT_LIMIT) rawVerdicts.delete(rawVerdicts.keys().next().value!);
    rawVerdicts.set(sql, verdict);
  }
  return verdict;
}

interface Inspection {
  verdict?: QueryClass;
  hasRaw: boolean;
}

function inspectSelect(root: OperationNode): Inspection {
  const state: Inspection = { hasRaw: false };
  const stack: unknown[] = [root];
  while (stack.length > 0 && state.verdict === undefined) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
      continue;
    }
    const node = value as { kind?: unknown } & Record<string, unknown>;
    switch (node.kind) {
      case 'RawNode':
        state.hasRaw = true;
        break;
      case 'SelectModifierNode': {
        const modifier = node.modifier as string | undefined;
        if (modifier !== undefined && LOCK_MODIFIERS.has(modifier)) {
          state.verdict = primaryClass('lock', modifier.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase());
        }
        break;
      }
      case 'FunctionNode':
      case 'AggregateFunctionNode': {
        const func = node.func;
        if (typeof func === 'string' && isSideEffectFunction(func)) {
          state.verdict = primaryClass('side-effect', `calls ${func}()`);
        }
        break;
      }
      default:
        if (typeof node.kind === 'string' && NESTED_WRITE_KINDS.has(node.kind)) {
          state.verdict = primaryClass(
            'write',
            `${node.kind.replace(/QueryNode$/, '').toUpperCase()} inside a SELECT`,
          );
        }
    }
    for (const key in node) {
      if (key !== 'kind') stack.push(node[key]);
    }
  }
  return state;
}
