/** One entry of a `Server-Timing` header. */
export interface ServerTimingMetric {
  /** Metric name; characters outside an HTTP token are replaced by `_`. */
  readonly name: string;
  /** Duration in milliseconds; left out when missing, negative or not finite. */
  readonly durationMs?: number | undefined;
  /** Free text; quoted, with control and non-ASCII characters replaced by `?`. */
  readonly description?: string | undefined;
}

const NOT_TOKEN_CHARACTER = /[^!#$%&'*+\-.^_`|~0-9A-Za-z]/g;
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/g;
const MAX_DESCRIPTION_LENGTH = 200;

/**
 * Formats metrics as a `Server-Timing` header value, so browser dev tools show where a request's database
 * time went (which node, cache hit, hedges). Values are sanitised: request-derived text can never split the
 * header or break `Headers`.
 *
 * ### Examples
 * ```ts
 * serverTiming([
 *   { name: 'db', durationMs: 12.34, description: 'replica-1 (p2c)' },
 *   { name: 'cache', description: 'hit' },
 * ])
 * // 'db;dur=12.3;desc="replica-1 (p2c)", cache;desc="hit"'
 * ```
 */
export function serverTiming(metrics: Iterable<ServerTimingMetric>): string {
  const entries: string[] = [];
  for (const metric of metrics) {
    let entry = metric.name.replace(NOT_TOKEN_CHARACTER, '_') || 'metric';
    const duration = metric.durationMs;
    if (duration !== undefined && Number.isFinite(duration) && duration >= 0) {
      entry += `;dur=${Math.round(duration * 10) / 10}`;
    }
    if (metric.description !== undefined && metric.description !== '') {
      const text = metric.description
        .slice(0, MAX_DESCRIPTION_LENGTH)
        .replace(NOT_PRINTABLE_ASCII, '?')
        .replace(/["\\]/g, '\\$&');
      entry += `;desc="${text}"`;
    }
    entries.push(entry);
  }
  return entries.join(', ');
}
