import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import { analyzeQuery } from '../../sql/analyze-query.js';
import type { QueryClass } from '../../sql/query-class.js';
import type { RouteReason } from '../observe/route-event.js';
import { routerContextOf } from '../router-context-of.js';
import { type RouteHint, routeHintOf } from './route-hint.js';
import type { FreshnessCheck } from './route-plan.js';

/** Where a statement would go and why, without running it. */
export interface RouteExplanation {
  readonly queryClass: QueryClass;
  /** The nodes that would be tried, in order. */
  readonly attempts: readonly {
    readonly node: string;
    readonly role: 'primary' | 'replica';
    readonly reason: RouteReason;
    readonly check: FreshnessCheck;
  }[];
  /** The session position the read must reflect (decimal), if any. */
  readonly requiredPosition?: string;
}

/**
 * Dry run: tells where `query` would be sent by `db` right now, and why, without running it.
 *
 * ### Examples
 * ```ts
 * const plan = await explainRoute(db, db.selectFrom('person').selectAll().forUpdate())
 * plan.attempts[0] // { node: 'primary', role: 'primary', reason: 'lock', check: 'none' }
 * ```
 */
export async function explainRoute(
  db: Kysely<any>,
  query: Compilable | CompiledQuery,
  hint?: RouteHint,
): Promise<RouteExplanation> {
  const compiled = 'compile' in query ? query.compile() : query;
  const context = await routerContextOf(db);
  const queryClass = analyzeQuery(compiled).queryClass;
  const effectiveHint = hint ?? routeHintOf(compiled.queryId);
  const plan = context.plan(queryClass, effectiveHint, context.now());
  return {
    queryClass,
    attempts: plan.attempts.map((a) => ({
      node: a.node.name,
      role: a.node.role,
      reason: a.reason,
      check: a.check,
    })),
    ...(plan.requiredPosition === undefined ? {} : { requiredPosition: plan.requiredPosition.toString() }),
  };
}
