import type { CompiledQuery, QueryResult } from 'kysely';
import type { ReplicationPosition } from '../../consistency/replication-position.js';
import type { QueryAnalysis } from '../../sql/analyze-query.js';
import type { QueryClass } from '../../sql/query-class.js';
import type { RouteReason } from '../observe/route-event.js';
import type { RouteHint } from '../plan/route-hint.js';
import type { RoutePlan } from '../plan/route-plan.js';
import type { RoutedNode } from '../routed-node.js';

/** A read before it is planned, for {@link runRead}: a cache hit never plans it. */
export interface ReadRequest {
  readonly queryClass: QueryClass;
  /** The SQL text's analysis (the memo's entry), for the cache's key, tables and volatility. */
  readonly analysis: QueryAnalysis;
  readonly query: CompiledQuery;
  readonly rest: unknown[];
  readonly started: number;
  readonly hint: RouteHint | undefined;
}

/** A read as planned, for the node attempts of {@link runRead}. */
export interface ReadStatement {
  readonly plan: RoutePlan;
  readonly query: CompiledQuery;
  readonly rest: unknown[];
  readonly started: number;
  readonly hint: RouteHint | undefined;
}

/** What reading from the nodes produced. */
export interface NodeReadResult<R> {
  readonly result: QueryResult<R>;
  readonly position: ReplicationPosition | undefined;
  readonly floor: ReplicationPosition | undefined;
  readonly node: RoutedNode;
  readonly reason: RouteReason;
}
