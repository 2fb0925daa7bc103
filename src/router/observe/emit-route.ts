import type { CompiledQuery } from 'kysely';
import type { ReplicationPosition } from '../../consistency/replication-position.js';
import { routeDetailOf } from '../../drivers/driver-capabilities.js';
import type { RoutedNode } from '../routed-node.js';
import type { RouteAttempt, RouteEvent, RouteReason } from './route-event.js';

/** What a finished statement tells its observers; see {@link RouteEvent}. */
export interface FinishedStatement {
  readonly query: CompiledQuery | { readonly sql: string };
  readonly node: RoutedNode;
  readonly reason: RouteReason;
  readonly started: number;
  readonly attempts: readonly RouteAttempt[];
  readonly error?: unknown;
  readonly detail?: string | undefined;
  readonly required?: ReplicationPosition | undefined;
  readonly transactions?: readonly bigint[] | undefined;
  readonly cache?: { readonly status: 'miss' | 'bypass'; readonly reason?: string | undefined } | undefined;
}

/** The route event of a finished statement, with the time it took on `now`'s clock. */
export function routeEventOf(statement: FinishedStatement, now: number): RouteEvent {
  const { node, cache } = statement;
  // Where the database itself served the statement (D1's region and primary flag), when the driver knows.
  const served = routeDetailOf(node.driver);
  const detail =
    served === undefined ? statement.detail : [statement.detail, served].filter(Boolean).join('; ');
  return {
    sql: statement.query.sql,
    node: node.name,
    role: node.role,
    reason: statement.reason,
    durationMs: now - statement.started,
    attempts: statement.attempts,
    ...(detail === undefined ? {} : { detail }),
    ...(statement.required === undefined ? {} : { requiredPosition: statement.required.toString() }),
    ...(statement.transactions === undefined || statement.transactions.length === 0
      ? {}
      : { requiredTransactions: statement.transactions.map(String) }),
    ...(cache === undefined ? {} : { cache: cache.status }),
    ...(cache?.reason === undefined ? {} : { cacheReason: cache.reason }),
    ...('error' in statement && statement.error !== undefined ? { error: statement.error } : {}),
  };
}

/** One attempt of a statement on one node, ended `now`. */
export function attemptOf(
  node: RoutedNode,
  outcome: RouteAttempt['outcome'],
  since: number,
  now: number,
): RouteAttempt {
  return { node: node.name, role: node.role, outcome, durationMs: now - since };
}
