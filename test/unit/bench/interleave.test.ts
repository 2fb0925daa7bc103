import { describe, expect, it } from 'vitest';
import { addedUsComparison, formatComparison, ratioComparison } from '../../../bench/lib/comparison.js';
import { interleave, pairedRatio, TimedArm } from '../../../bench/lib/interleave.js';
import { medianInterval } from '../../../bench/lib/median-interval.js';
import { RouteCounter } from '../../../bench/lib/route-counter.js';
import type { RouteEvent } from '../../../src/index.js';

describe('medianInterval', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(medianInterval([3, 1, 2]).median).toBe(2);
    expect(medianInterval([4, 1, 3, 2]).median).toBe(2.5);
    expect(() => medianInterval([])).toThrow(RangeError);
  });

  it('bounds the median by the binomial order statistics', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    // Tables of the sign test: ranks 40 and 61 for n = 100 at 95%.
    expect(medianInterval(hundred)).toMatchObject({ low: 40, high: 61, n: 100 });
    expect(medianInterval(hundred).confidence).toBeGreaterThanOrEqual(0.95);
    const ten = medianInterval(Array.from({ length: 10 }, (_, i) => i + 1));
    expect([ten.low, ten.high]).toEqual([2, 9]);
    expect(ten.confidence).toBeCloseTo(1 - 2 * (11 / 1024), 6);
  });

  it('falls back to min and max, with the lower coverage reached, when there are too few values', () => {
    const five = medianInterval([5, 1, 4, 2, 3]);
    expect([five.low, five.high]).toEqual([1, 5]);
    expect(five.confidence).toBeCloseTo(1 - 2 / 32, 6);
  });
});

describe('interleave', () => {
  it('runs every arm once per round, reversing the order every other round, warm-ups first', async () => {
    const log: string[] = [];
    const arm = (name: string) => ({
      name,
      run: async ({ round, warmup }: { round: number; warmup: boolean }) => {
        log.push(`${name}${round}${warmup ? 'w' : ''}`);
      },
    });
    await interleave([arm('a'), arm('b'), arm('c')], { warmupRounds: 1, rounds: 2 });
    expect(log).toEqual(['a-1w', 'b-1w', 'c-1w', 'c0', 'b0', 'a0', 'a1', 'b1', 'c1']);
  });

  it('keeps one value per measured round and runs prepare before each timed sample', async () => {
    const calls: string[] = [];
    const timed = new TimedArm(
      't',
      async (i) => {
        calls.push(`op${i}`);
      },
      { perRound: 2, prepare: async (i) => void calls.push(`prep${i}`) },
    );
    await interleave([timed], { warmupRounds: 1, rounds: 3 });
    expect(timed.rounds).toHaveLength(3);
    expect(timed.samples).toHaveLength(6);
    expect(calls.slice(0, 4)).toEqual(['prep0', 'op0', 'prep1', 'op1']);
    expect(calls).toHaveLength(16);
  });

  it('pairs rounds by index and refuses unequal lengths', () => {
    expect(pairedRatio([2, 4, 6], [1, 2, 3]).median).toBe(2);
    expect(() => pairedRatio([1, 2], [1])).toThrow(RangeError);
  });
});

describe('comparisons', () => {
  it('formats ratios and added microseconds with their interval', () => {
    const ratio = ratioComparison('vs kysely', [2, 2.2, 1.8, 2, 2], [1, 1, 1, 1, 1]);
    expect(ratio).toMatchObject({ kind: 'ratio', median: 2, low: 1.8, high: 2.2, rounds: 5 });
    expect(formatComparison(ratio)).toBe('2.00x [1.80, 2.20]');
    const added = addedUsComparison('added', [0.05, 0.04, 0.045], [0.01, 0.01, 0.01]);
    expect(added.median).toBe(35);
    expect(formatComparison(added)).toBe('+35.0 µs [+30.0, +40.0]');
  });
});

describe('RouteCounter', () => {
  it('counts reads by role and node/reason, skips writes and disabled periods', () => {
    const counter = new RouteCounter();
    const event = (sql: string, node: string, role: RouteEvent['role'], reason: RouteEvent['reason']) =>
      ({ sql, node, role, reason, durationMs: 1, attempts: [] }) as RouteEvent;
    counter.onRoute(event('select 1', 'replica-1', 'replica', 'nearest'));
    counter.onRoute(event('  (select 1)', 'cache', 'cache', 'cache'));
    counter.onRoute(event('insert into t values (1)', 'primary', 'primary', 'write'));
    counter.enabled = false;
    counter.onRoute(event('select 2', 'primary', 'primary', 'after-write'));
    expect(counter.reads).toBe(2);
    expect(counter.share('replica')).toBe(0.5);
    expect(counter.share('primary')).toBe(0);
    expect(counter.describe()).toBe('replica-1/nearest 1, cache/cache 1');
    expect(new RouteCounter().share('replica')).toBe(0);
  });
});
