/** Latency summary of a sample set, in milliseconds. */
export interface LatencySummary {
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly mean_ms: number;
  readonly ops: number;
}

/**
 * The `q` quantile (0..1) of already sorted samples, nearest-rank method: the smallest sample such that at least
 * `q` of the samples are at or below it. With few samples p99 is simply the maximum, which is what we want to show.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty sample set');
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** p50/p95/p99 and mean of `samples` (milliseconds), rounded to 0.1 µs. */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length;
  return {
    p50_ms: round(quantile(sorted, 0.5)),
    p95_ms: round(quantile(sorted, 0.95)),
    p99_ms: round(quantile(sorted, 0.99)),
    mean_ms: round(mean),
    ops: sorted.length,
  };
}

/** Rounds to four decimals (0.1 µs when the unit is ms). */
export function round(value: number, decimals = 4): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
