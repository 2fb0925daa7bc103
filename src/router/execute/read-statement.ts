import type { CompiledQuery, QueryResult } from 'kysely';
import type { ReplicationPosition } from '../../consistency/replication-position.js';
import type { RouteReason } from '../observe/route-event.js';
import type { RouteHint } from '../plan/route-hint.js';
import type { RoutePlan } from '../plan/route-plan.js';
import type { RoutedNode } from '../routed-node.js';

/** A read as planned, for {@link runRead}. */
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
