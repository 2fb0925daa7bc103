import { describe, expect, it } from 'vitest';
import { EdgeDbError, isEdgeDbError } from '../../../../src/errors/edge-db-error.js';
import type { AttemptOutcome } from '../../../../src/router/execute/attempt-outcome.js';
import {
  type FallbackAttempt,
  type RunWithFallbacksOptions,
  runWithFallbacks,
} from '../../../../src/router/execute/run-with-fallbacks.js';
import { FakeClock } from '../../../support/fake-clock.js';

class SyntaxError42 extends Error {}

interface Scripted extends FallbackAttempt<string> {
  readonly signals: AbortSignal[];
}

/** An attempt that answers (or fails) after `ms` of fake time, or never when `ms` is Infinity. */
function scripted(
  clock: FakeClock,
  id: string,
  ms: number,
  result: string | Error,
  honourAbort = true,
): Scripted {
  const signals: AbortSignal[] = [];
  return {
    id,
    signals,
    run(signal) {
      signals.push(signal);
      return new Promise<string>((resolve, reject) => {
        const timer = Number.isFinite(ms)
          ? clock.setTimeout(() => (typeof result === 'string' ? resolve(result) : reject(result)), ms)
          : undefined;
        if (honourAbort) {
          signal.addEventListener('abort', () => {
            if (timer !== undefined) clock.clearTimeout(timer);
            reject(signal.reason);
          });
        }
      });
    },
  };
}

function run(
  clock: FakeClock,
  attempts: FallbackAttempt<string>[],
  options: Partial<RunWithFallbacksOptions> = {},
) {
  const reported: AttemptOutcome[] = [];
  const promise = runWithFallbacks(attempts, {
    deadlineMs: 1_000,
    perAttemptTimeoutMs: 300,
    now: clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    isRetryable: (error) => !(error instanceof SyntaxError42),
    onOutcome: (outcome) => reported.push(outcome),
    ...options,
  });
  // Observed outcome, so a rejection is never unhandled while the clock advances.
  const settled = promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { settled, reported };
}

const statuses = (outcomes: readonly AttemptOutcome[]) => outcomes.map((o) => `${o.id}:${o.status}`);

describe('runWithFallbacks', () => {
  it('answers from the first attempt and leaves no timer behind', async () => {
    const clock = new FakeClock();
    const a = scripted(clock, 'a', 20, 'from a');
    const b = scripted(clock, 'b', 20, 'from b');
    const { settled, reported } = run(clock, [a, b]);
    await clock.advance(20);
    const result = await settled;
    expect(result.ok && result.value.value).toBe('from a');
    expect(result.ok && result.value.winner).toMatchObject({
      id: 'a',
      status: 'success',
      durationMs: 20,
      hedged: false,
    });
    expect(b.signals).toHaveLength(0);
    expect(statuses(reported)).toEqual(['a:success']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('falls back to the next attempt after a retryable failure', async () => {
    const clock = new FakeClock();
    const refused = new Error('ECONNREFUSED');
    const { settled, reported } = run(clock, [
      scripted(clock, 'a', 5, refused),
      scripted(clock, 'b', 30, 'from b'),
    ]);
    await clock.advance(100);
    const result = await settled;
    expect(result.ok && result.value.value).toBe('from b');
    expect(statuses(reported)).toEqual(['a:failure', 'b:success']);
    expect(reported[0]!.error).toBe(refused);
    expect(reported[1]).toMatchObject({ startedAt: 5, durationMs: 30 });
    expect(clock.pendingTimers).toBe(0);
  });

  it('rethrows a non-retryable error unchanged without trying further nodes', async () => {
    const clock = new FakeClock();
    const syntax = new SyntaxError42('syntax error at or near "SELCT"');
    const b = scripted(clock, 'b', 5, 'from b');
    const { settled, reported } = run(clock, [scripted(clock, 'a', 5, syntax), b]);
    await clock.advance(100);
    const result = await settled;
    expect(!result.ok && result.error).toBe(syntax);
    expect(b.signals).toHaveLength(0);
    expect(statuses(reported)).toEqual(['a:non-retryable']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rethrows the last error unchanged when every attempt fails', async () => {
    const clock = new FakeClock();
    const last = new Error('second down');
    const { settled } = run(clock, [
      scripted(clock, 'a', 5, new Error('first down')),
      scripted(clock, 'b', 5, last),
    ]);
    await clock.advance(100);
    const result = await settled;
    expect(!result.ok && result.error).toBe(last);
    expect(clock.pendingTimers).toBe(0);
  });

  it('aborts an attempt after perAttemptTimeoutMs and moves on', async () => {
    const clock = new FakeClock();
    const a = scripted(clock, 'a', Number.POSITIVE_INFINITY, 'never');
    const { settled, reported } = run(clock, [a, scripted(clock, 'b', 10, 'from b')], {
      perAttemptTimeoutMs: 100,
    });
    await clock.advance(99);
    expect(a.signals[0]!.aborted).toBe(false);
    await clock.advance(50);
    const result = await settled;
    expect(a.signals[0]!.aborted).toBe(true);
    expect(result.ok && result.value.value).toBe('from b');
    expect(statuses(reported)).toEqual(['a:timeout', 'b:success']);
    expect(isEdgeDbError(reported[0]!.error, 'TIMEOUT')).toBe(true);
    expect(reported[0]!.durationMs).toBe(100);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects with TIMEOUT at the overall deadline and aborts what is running', async () => {
    const clock = new FakeClock();
    const attempts = ['a', 'b', 'c'].map((id) => scripted(clock, id, Number.POSITIVE_INFINITY, 'never'));
    const { settled, reported } = run(clock, attempts, { deadlineMs: 250, perAttemptTimeoutMs: 100 });
    await clock.advance(1_000);
    const result = await settled;
    expect(!result.ok && result.error).toBeInstanceOf(EdgeDbError);
    expect(!result.ok && (result.error as EdgeDbError).code).toBe('TIMEOUT');
    expect(!result.ok && (result.error as EdgeDbError).message).toContain('deadlineMs (250 ms)');
    expect(statuses(reported)).toEqual(['a:timeout', 'b:timeout', 'c:aborted']);
    expect(attempts[2]!.signals[0]!.aborted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('hedges a slow attempt and aborts the loser', async () => {
    const clock = new FakeClock();
    const slow = scripted(clock, 'slow', 250, 'from slow');
    const fast = scripted(clock, 'fast', 50, 'from fast');
    const { settled, reported } = run(clock, [slow, fast], { hedgeAfterMs: 100 });
    await clock.advance(99);
    expect(fast.signals).toHaveLength(0);
    await clock.advance(100);
    const result = await settled;
    expect(result.ok && result.value.value).toBe('from fast');
    expect(result.ok && result.value.winner).toMatchObject({
      id: 'fast',
      hedged: true,
      startedAt: 100,
      durationMs: 50,
    });
    expect(slow.signals[0]!.aborted).toBe(true);
    expect(statuses(reported)).toEqual(['fast:success', 'slow:aborted']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps the first attempt when it wins the race against its hedge', async () => {
    const clock = new FakeClock();
    const first = scripted(clock, 'first', 150, 'from first');
    const hedge = scripted(clock, 'hedge', 200, 'from hedge');
    const { settled, reported } = run(clock, [first, hedge], { hedgeAfterMs: 100 });
    await clock.advance(500);
    const result = await settled;
    expect(result.ok && result.value.value).toBe('from first');
    expect(hedge.signals[0]!.aborted).toBe(true);
    expect(statuses(reported)).toEqual(['first:success', 'hedge:aborted']);
  });

  it('does not hedge an attempt that already answered', async () => {
    const clock = new FakeClock();
    const second = scripted(clock, 'second', 10, 'from second');
    const { settled } = run(clock, [scripted(clock, 'first', 30, 'from first'), second], {
      hedgeAfterMs: 100,
    });
    await clock.advance(500);
    expect((await settled).ok).toBe(true);
    expect(second.signals).toHaveLength(0);
  });

  it('continues the chain when a hedge fails while the first attempt still runs', async () => {
    const clock = new FakeClock();
    const attempts = [
      scripted(clock, 'a', 400, 'from a'),
      scripted(clock, 'b', 10, new Error('b down')),
      scripted(clock, 'c', 20, 'from c'),
    ];
    const { settled, reported } = run(clock, attempts, { hedgeAfterMs: 100, perAttemptTimeoutMs: 1_000 });
    await clock.advance(1_000);
    const result = await settled;
    expect(result.ok && result.value.winner).toMatchObject({ id: 'c', startedAt: 110, hedged: true });
    expect(statuses(reported)).toEqual(['b:failure', 'c:success', 'a:aborted']);
  });

  it('ignores a late answer from an attempt that does not honour its signal', async () => {
    const clock = new FakeClock();
    const stubborn = scripted(clock, 'stubborn', 500, new Error('late failure'), false);
    const { settled, reported } = run(clock, [stubborn, scripted(clock, 'b', 10, 'from b')], {
      perAttemptTimeoutMs: 100,
    });
    await clock.advance(1_000);
    const result = await settled;
    expect(result.ok && result.value.value).toBe('from b');
    expect(statuses(reported)).toEqual(['stubborn:timeout', 'b:success']);
  });

  it("rejects with the caller's abort reason and aborts the attempts", async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const a = scripted(clock, 'a', 500, 'from a');
    const { settled, reported } = run(clock, [a], { signal: controller.signal });
    await clock.advance(10);
    const reason = new Error('client went away');
    controller.abort(reason);
    const result = await settled;
    expect(!result.ok && result.error).toBe(reason);
    expect(a.signals[0]!.aborted).toBe(true);
    expect(statuses(reported)).toEqual(['a:aborted']);
    expect(clock.pendingTimers).toBe(0);
    await expect(
      runWithFallbacks([a], { deadlineMs: 1, perAttemptTimeoutMs: 1, signal: controller.signal }),
    ).rejects.toBe(reason);
  });

  it('treats an attempt that throws synchronously as a failure', async () => {
    const clock = new FakeClock();
    const thrown = new Error('bad connection string');
    const broken: FallbackAttempt<string> = {
      id: 'broken',
      run: () => {
        throw thrown;
      },
    };
    const { settled, reported } = run(clock, [broken, scripted(clock, 'b', 5, 'from b')]);
    await clock.advance(10);
    expect((await settled).ok).toBe(true);
    expect(reported[0]).toMatchObject({ id: 'broken', status: 'failure', error: thrown });
  });

  it('rejects bad input with a TypeError', async () => {
    await expect(runWithFallbacks([], { deadlineMs: 1, perAttemptTimeoutMs: 1 })).rejects.toThrow(TypeError);
    const clock = new FakeClock();
    await expect(
      runWithFallbacks([scripted(clock, 'a', 1, 'x')], { deadlineMs: Number.NaN, perAttemptTimeoutMs: 1 }),
    ).rejects.toThrow('deadlineMs must be a number >= 0');
  });
});
