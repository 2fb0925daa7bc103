import type { RouteEvent, ServerTimingMetric } from '../../index.js';

/** Statements listed one by one in `Server-Timing`; a header of a few hundred bytes stays cheap for every proxy. */
export const MAX_TIMED_STATEMENTS = 20;

/**
 * One `Server-Timing` metric per statement (`db;dur=3.1;desc="replica-0 nearest"`), in the order they
 * finished, and a `db-more` count for statements beyond {@link MAX_TIMED_STATEMENTS}.
 */
export function routeTimingMetrics(events: readonly RouteEvent[]): ServerTimingMetric[] {
  const metrics: ServerTimingMetric[] = events.slice(0, MAX_TIMED_STATEMENTS).map((event) => ({
    name: 'db',
    durationMs: event.durationMs,
    description: describe(event),
  }));
  const omitted = events.length - MAX_TIMED_STATEMENTS;
  if (omitted > 0) metrics.push({ name: 'db-more', description: `${omitted} more statements` });
  return metrics;
}

function describe(event: RouteEvent): string {
  const parts = [event.node, event.reason];
  if (event.cache !== undefined) parts.push(`cache ${event.cache}`);
  if (event.attempts.length > 1) parts.push(`${event.attempts.length} attempts`);
  if (event.error !== undefined) parts.push('error');
  return parts.join(' ');
}
