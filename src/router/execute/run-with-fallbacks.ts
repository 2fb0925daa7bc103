import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { AttemptOutcome, AttemptStatus } from './attempt-outcome.js';

/** One way to get the answer, usually one node. `run` must stop its I/O when `signal` aborts. */
export interface FallbackAttempt<T> {
  readonly id: string;
  run(signal: AbortSignal): Promise<T>;
}

/** Options of {@link runWithFallbacks}. */
export interface RunWithFallbacksOptions {
  /** Budget for the whole chain, from the call. When it passes, everything is aborted: `EdgeDbError('TIMEOUT')`. */
  readonly deadlineMs: number;
  /** An attempt that has not answered after this long is aborted and counts as a `timeout`. */
  readonly perAttemptTimeoutMs: number;
  /** If the latest attempt has not answered after this long, the next one starts alongside it (hedging). */
  readonly hedgeAfterMs?: number | undefined;
  /** Cancels the whole chain; the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /**
   * False for errors that say nothing about the node (SQL errors, constraint violations): the chain stops and
   * the error is rethrown unchanged. @default every error is retryable
   */
  readonly isRetryable?: ((error: unknown) => boolean) | undefined;
  /** Called once per attempt as it ends, in order of ending. Errors it throws reject the chain. */
  readonly onOutcome?: ((outcome: AttemptOutcome) => void) | undefined;
  /** @default () => Date.now() */
  readonly now?: (() => number) | undefined;
  /** @default globalThis.setTimeout, looked up at call time */
  readonly setTimeout?: ((callback: () => void, ms: number) => unknown) | undefined;
  /** @default globalThis.clearTimeout, looked up at call time */
  readonly clearTimeout?: ((handle: any) => void) | undefined;
}

/** The answer of the winning attempt and what happened to every attempt that started. */
export interface FallbackResult<T> {
  readonly value: T;
  readonly winner: AttemptOutcome;
  readonly outcomes: readonly AttemptOutcome[];
}

interface Running {
  readonly index: number;
  readonly id: string;
  readonly controller: AbortController;
  readonly startedAt: number;
  readonly hedged: boolean;
  readonly timers: unknown[];
}

/**
 * Tries `attempts` in order until one succeeds, within a deadline.
 *
 * - Each attempt gets its own `AbortSignal`, aborted after `perAttemptTimeoutMs`; the next attempt starts.
 * - With `hedgeAfterMs`, a slow attempt gets company: the next one starts while it runs, the first success
 *   wins and the others are aborted.
 * - A non-retryable error stops the chain and is rethrown unchanged; when every attempt fails, the last
 *   error is rethrown (driver errors stay driver errors).
 * - Past `deadlineMs` every running attempt is aborted and it rejects with `EdgeDbError('TIMEOUT')`.
 * - No timer outlives the returned promise, whichever way it settles.
 *
 * ### Examples
 * ```ts
 * const { value, winner } = await runWithFallbacks(
 *   ranked.map((choice) => ({ id: choice.candidate.id, run: (signal) => readFrom(choice.candidate, signal) })),
 *   { deadlineMs: 5_000, perAttemptTimeoutMs: 2_000, hedgeAfterMs: 50, isRetryable: isNodeFailure, onOutcome: learn },
 * )
 * ```
 */
export function runWithFallbacks<T>(
  attempts: readonly FallbackAttempt<T>[],
  options: RunWithFallbacksOptions,
): Promise<FallbackResult<T>> {
  const { deadlineMs, perAttemptTimeoutMs, hedgeAfterMs, signal } = options;
  if (attempts.length === 0)
    return Promise.reject(new TypeError('runWithFallbacks needs at least one attempt'));
  for (const [name, value] of [
    ['deadlineMs', deadlineMs],
    ['perAttemptTimeoutMs', perAttemptTimeoutMs],
    ['hedgeAfterMs', hedgeAfterMs ?? 0],
  ] as const) {
    if (typeof value !== 'number' || !(value >= 0)) {
      return Promise.reject(new TypeError(`${name} must be a number >= 0`));
    }
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  const now = options.now ?? (() => Date.now());
  const setTimer = options.setTimeout ?? ((callback, ms) => globalThis.setTimeout(callback, ms));
  const clearTimer = options.clearTimeout ?? ((handle) => globalThis.clearTimeout(handle));
  const isRetryable = options.isRetryable ?? (() => true);

  return new Promise<FallbackResult<T>>((resolve, reject) => {
    const outcomes: AttemptOutcome[] = [];
    const running = new Map<number, Running>();
    let nextIndex = 0;
    let done = false;
    let lastError: unknown;

    const settle = (status: AttemptStatus, reason: unknown): void => {
      done = true;
      clearTimer(deadlineTimer);
      signal?.removeEventListener('abort', onCallerAbort);
      for (const attempt of [...running.values()]) {
        attempt.controller.abort(reason);
        end(attempt, status, reason);
      }
    };
    const fail = (error: unknown): void => {
      if (done) return;
      settle('aborted', error);
      reject(error);
    };
    const end = (attempt: Running, status: AttemptStatus, error?: unknown): AttemptOutcome => {
      running.delete(attempt.index);
      for (const timer of attempt.timers) clearTimer(timer);
      const outcome: AttemptOutcome = {
        index: attempt.index,
        id: attempt.id,
        status,
        hedged: attempt.hedged,
        startedAt: attempt.startedAt,
        durationMs: now() - attempt.startedAt,
        ...(status === 'success' ? {} : { error }),
      };
      outcomes.push(outcome);
      try {
        options.onOutcome?.(outcome);
      } catch (callbackError) {
        fail(callbackError);
      }
      return outcome;
    };
    const next = (failed: Running): void => {
      if (done) return;
      const isLatest = nextIndex === failed.index + 1;
      if (nextIndex < attempts.length && (isLatest || running.size === 0)) start();
      else if (running.size === 0) fail(lastError);
    };
    const start = (): void => {
      const index = nextIndex++;
      const attempt = attempts[index]!;
      const current: Running = {
        index,
        id: attempt.id,
        controller: new AbortController(),
        startedAt: now(),
        hedged: running.size > 0,
        timers: [],
      };
      running.set(index, current);
      current.timers.push(setTimer(() => onAttemptTimeout(current), perAttemptTimeoutMs));
      if (hedgeAfterMs !== undefined && index + 1 < attempts.length) {
        current.timers.push(setTimer(() => onHedge(current), hedgeAfterMs));
      }
      let pending: Promise<T>;
      try {
        pending = Promise.resolve(attempt.run(current.controller.signal));
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => onSuccess(current, value),
        (error: unknown) => onError(current, error),
      );
    };
    const onSuccess = (attempt: Running, value: T): void => {
      if (done || !running.has(attempt.index)) return;
      const winner = end(attempt, 'success');
      if (done) return;
      // Building a DOMException costs more than the rest of a success: only when a loser is still running.
      settle(
        'aborted',
        running.size === 0
          ? undefined
          : new DOMException(`attempt "${winner.id}" answered first`, 'AbortError'),
      );
      resolve({ value, winner, outcomes });
    };
    const onError = (attempt: Running, error: unknown): void => {
      if (done || !running.has(attempt.index)) return;
      if (!isRetryable(error)) {
        end(attempt, 'non-retryable', error);
        fail(error);
        return;
      }
      lastError = error;
      end(attempt, 'failure', error);
      next(attempt);
    };
    const onAttemptTimeout = (attempt: Running): void => {
      if (done || !running.has(attempt.index)) return;
      const error = new EdgeDbError(
        'TIMEOUT',
        `node "${attempt.id}" did not answer within perAttemptTimeoutMs (${perAttemptTimeoutMs} ms); ` +
          'the next node is tried. Raise perAttemptTimeoutMs if such queries are legitimately slow.',
      );
      attempt.controller.abort(error);
      lastError = error;
      end(attempt, 'timeout', error);
      next(attempt);
    };
    const onHedge = (attempt: Running): void => {
      if (done || !running.has(attempt.index)) return;
      if (nextIndex === attempt.index + 1 && nextIndex < attempts.length) start();
    };
    const onCallerAbort = (): void => fail(signal?.reason);
    const deadlineTimer = setTimer(() => {
      fail(
        new EdgeDbError(
          'TIMEOUT',
          `no node answered within deadlineMs (${deadlineMs} ms) after ${nextIndex} of ${attempts.length} ` +
            'attempts. Raise deadlineMs or check the health of the nodes.',
          { cause: lastError },
        ),
      );
    }, deadlineMs);
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    start();
  });
}
