import type { Attributes } from '@opentelemetry/api';
import { isEdgeDbError, type RouteEvent } from '../../index.js';
import type { DbSystem } from './db-system-of.js';

/**
 * The attributes of one statement's span: OpenTelemetry's database conventions (`db.system` and its newer
 * name `db.system.name`, `db.operation.name`, `db.query.text`, `error.type`) and edge-db's routing under
 * `edge_db.*`.
 */
export function routeSpanAttributes(
  event: RouteEvent,
  system: DbSystem | undefined,
  queryText: boolean,
): Attributes {
  const attributes: Attributes = {
    'edge_db.node': event.node,
    'edge_db.role': event.role,
    'edge_db.route.reason': event.reason,
    'edge_db.attempts': event.attempts.length,
    'edge_db.attempt.nodes': event.attempts.map((attempt) => attempt.node),
    'edge_db.attempt.outcomes': event.attempts.map((attempt) => attempt.outcome),
    'edge_db.attempt.durations_ms': event.attempts.map((attempt) => attempt.durationMs),
  };
  if (system !== undefined) {
    attributes['db.system'] = system;
    attributes['db.system.name'] = system;
  }
  const operation = operationName(event.sql);
  if (operation !== undefined) attributes['db.operation.name'] = operation;
  if (queryText) attributes['db.query.text'] = event.sql;
  if (event.detail !== undefined) attributes['edge_db.route.detail'] = event.detail;
  if (event.cache !== undefined) attributes['edge_db.cache.status'] = event.cache;
  if (event.cacheReason !== undefined) attributes['edge_db.cache.reason'] = event.cacheReason;
  if (event.requiredPosition !== undefined) attributes['edge_db.required_position'] = event.requiredPosition;
  if (event.requiredTransactions !== undefined)
    attributes['edge_db.required_transactions'] = event.requiredTransactions.join(',');
  if (event.error !== undefined) attributes['error.type'] = errorType(event.error);
  return attributes;
}

/** The statement's leading keyword (`SELECT`, `INSERT`, `WITH`, ...), skipping comments and parentheses. */
export function operationName(sql: string): string | undefined {
  const match = /^(?:\s|\(|--[^\n]*\n|\/\*[\s\S]*?\*\/)*([A-Za-z]+)/.exec(sql);
  return match?.[1]?.toUpperCase();
}

/** `error.type`: the `EdgeDbError` code, the driver's error code, or the error's class name. */
function errorType(error: unknown): string {
  if (isEdgeDbError(error)) return error.code;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && code !== '' ? code : error.name;
  }
  return '_OTHER';
}
