import { type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RouteEvent } from '../../index.js';
import { dbSystemOf } from './db-system-of.js';
import type { OtelOnRouteOptions } from './otel-on-route-options.js';
import { operationName, routeSpanAttributes } from './route-span-attributes.js';

/**
 * An `EdgeDbConfig.onRoute` that records one OpenTelemetry client span per statement: `db.system`, the node
 * that served it and its role, the route reason, the cache status, every attempt (node, outcome, duration)
 * and the error, if any. The span ends when the event arrives and starts `durationMs` earlier; its parent is
 * the active context (the request's span where a context manager propagates it).
 *
 * ### Examples
 * ```ts
 * const primary = neon({ url: env.PRIMARY_URL, region: 'aws-us-east-1' })
 * const db = edgeDb<Database>({ primary, onRoute: otelOnRoute({ backend: primary }) })
 * ```
 */
export function otelOnRoute(options: OtelOnRouteOptions = {}): (event: RouteEvent) => void {
  const tracer = options.tracer ?? trace.getTracer('edge-db');
  const system = options.system ?? (options.backend === undefined ? undefined : dbSystemOf(options.backend));
  const queryText = options.queryText ?? true;
  const now = options.now ?? Date.now;
  return (event) => {
    const endTime = now();
    const span = tracer.startSpan(operationName(event.sql) ?? system ?? 'edge-db', {
      kind: SpanKind.CLIENT,
      startTime: endTime - Math.max(0, event.durationMs),
      attributes: routeSpanAttributes(event, system, queryText),
    });
    if (event.error !== undefined) recordError(span, event.error);
    span.end(endTime);
  };
}

function recordError(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}
