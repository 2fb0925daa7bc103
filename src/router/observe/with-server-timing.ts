import { type ServerTimingMetric, serverTiming } from './server-timing.js';

/**
 * A copy of `response` with the metrics appended to its `Server-Timing` header (existing entries are kept).
 * The body moves to the copy: return the copy, not the original. Responses that cannot be rebuilt (status
 * outside 200-599, such as a WebSocket upgrade) and empty metric lists come back unchanged.
 *
 * ### Examples
 * ```ts
 * const events: ServerTimingMetric[] = []
 * const db = edgeDb({ ..., onRoute: (event) => events.push({ name: 'db', durationMs: event.durationMs }) })
 * return withServerTiming(Response.json(await db.selectFrom('person').selectAll().execute()), events)
 * ```
 */
export function withServerTiming(response: Response, metrics: Iterable<ServerTimingMetric>): Response {
  const value = serverTiming(metrics);
  if (value === '' || response.status < 200 || response.status > 599) return response;
  // Headers of fetched responses are immutable, so the header goes on a copy.
  const copy = new Response(response.body, response);
  copy.headers.append('Server-Timing', value);
  return copy;
}
