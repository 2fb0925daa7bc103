/**
 * How one attempt of {@link runWithFallbacks} ended:
 * `success`; `failure` (a retryable error: the node's fault); `timeout` (no answer within
 * `perAttemptTimeoutMs`: the node's fault); `non-retryable` (an error that ends the chain and is not the
 * node's fault, such as a SQL syntax error); `aborted` (cancelled: a hedge lost, the overall deadline passed,
 * or the caller's signal fired; says nothing about the node).
 */
export type AttemptStatus = 'success' | 'failure' | 'timeout' | 'non-retryable' | 'aborted';

/**
 * The record of one attempt, for route events, `Server-Timing`, a `LatencyTracker` (successes) and an
 * `OutlierDetector` (failures and timeouts).
 *
 * ### Examples
 * ```ts
 * function learn(outcome: AttemptOutcome) {
 *   const node = nodes.get(outcome.id)!
 *   node.latency.end()
 *   if (outcome.status === 'success') {
 *     node.latency.record(outcome.durationMs)
 *     health.recordSuccess(outcome.id)
 *   } else if (outcome.status === 'failure' || outcome.status === 'timeout') {
 *     health.recordFailure(outcome.id)
 *   }
 * }
 * ```
 */
export interface AttemptOutcome {
  /** Position of the attempt in the list given to `runWithFallbacks`. */
  readonly index: number;
  readonly id: string;
  readonly status: AttemptStatus;
  /** True when it started while an earlier attempt was still running (a hedge). */
  readonly hedged: boolean;
  /** Clock time the attempt started. */
  readonly startedAt: number;
  /** Time from start to its end (or to its cancellation). */
  readonly durationMs: number;
  /** The error of a failed, timed-out, non-retryable or aborted attempt. */
  readonly error?: unknown;
}
