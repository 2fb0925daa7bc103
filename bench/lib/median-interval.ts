/**
 * The median of a sample set and a distribution-free confidence interval for it: the order statistics
 * `x(k)` and `x(n+1-k)` with the largest `k` for which Binomial(n, 1/2) puts at most `(1 - confidence) / 2` below
 * `k`. No assumption about the shape of the distribution, which suits per-round ratios on a shared machine.
 */
export interface MedianInterval {
  readonly median: number;
  readonly low: number;
  readonly high: number;
  /** Number of values the interval is built from. */
  readonly n: number;
  /** Coverage actually reached: below the requested one when `n` is too small (then `low`/`high` are min/max). */
  readonly confidence: number;
}

/** Median and its confidence interval of `values` (unsorted). Throws a `RangeError` on an empty set. */
export function medianInterval(values: readonly number[], confidence = 0.95): MedianInterval {
  if (values.length === 0) throw new RangeError('medianInterval of an empty sample set');
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = n >> 1;
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const tail = (1 - confidence) / 2;
  // cdf[j] = P(X <= j) for X ~ Binomial(n, 1/2); the largest k with P(X <= k - 1) <= tail.
  let k = 1;
  let below = binomialHalfCdf(n, 0);
  for (let candidate = 2; candidate <= mid; candidate++) {
    const next = binomialHalfCdf(n, candidate - 1);
    if (next > tail) break;
    k = candidate;
    below = next;
  }
  return { median, low: sorted[k - 1]!, high: sorted[n - k]!, n, confidence: Math.max(0, 1 - 2 * below) };
}

/** P(X <= j) for X ~ Binomial(n, 1/2), summed in log space so large `n` does not overflow. */
function binomialHalfCdf(n: number, j: number): number {
  let logTerm = -n * Math.LN2; // log(C(n, 0) / 2^n)
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= j; i++) {
    logTerm += Math.log((n - i + 1) / i);
    sum += Math.exp(logTerm);
  }
  return Math.min(1, sum);
}
