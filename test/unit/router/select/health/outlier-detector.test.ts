import { describe, expect, it } from 'vitest';
import {
  OutlierDetector,
  type OutlierDetectorOptions,
} from '../../../../../src/router/select/health/outlier-detector.js';

function detector(ids: string[], options: OutlierDetectorOptions = {}) {
  const clock = { time: 0 };
  const health = new OutlierDetector(ids, {
    now: () => clock.time,
    consecutiveFailures: 3,
    baseEjectionMs: 1_000,
    maxEjectionMs: 8_000,
    ...options,
  });
  const failTimes = (id: string, times: number) => {
    for (let i = 0; i < times; i++) health.recordFailure(id);
  };
  return { clock, health, failTimes };
}

describe('OutlierDetector', () => {
  it('ejects after consecutive failures only', () => {
    const { health, failTimes } = detector(['a', 'b', 'c', 'd']);
    failTimes('a', 2);
    expect(health.status('a')).toBe('healthy');
    health.recordSuccess('a');
    failTimes('a', 2);
    expect(health.status('a')).toBe('healthy');
    health.recordFailure('a');
    expect(health.status('a')).toBe('ejected');
    expect(health.ejectedCount()).toBe(1);
  });

  it('offers one probe after the period and returns the node when it succeeds', () => {
    const { clock, health, failTimes } = detector(['a', 'b']);
    failTimes('a', 3);
    clock.time = 999;
    expect(health.status('a')).toBe('ejected');
    expect(health.startProbe('a')).toBe(false);
    clock.time = 1_000;
    expect(health.status('a')).toBe('probe');
    expect(health.startProbe('a')).toBe(true);
    expect(health.status('a')).toBe('probing');
    expect(health.startProbe('a')).toBe(false);
    health.recordSuccess('a');
    expect(health.status('a')).toBe('healthy');
  });

  it('doubles the period on each ejection in a row, up to the cap', () => {
    const { clock, health, failTimes } = detector(['a', 'b']);
    failTimes('a', 3);
    const periods: number[] = [];
    for (let round = 0; round < 6; round++) {
      const ejectedAt = clock.time;
      while (health.status('a') === 'ejected') clock.time += 100;
      periods.push(clock.time - ejectedAt);
      expect(health.startProbe('a')).toBe(true);
      health.recordFailure('a');
    }
    expect(periods).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('starts from the base period again once the node stayed healthy for maxEjectionMs', () => {
    const { clock, health, failTimes } = detector(['a', 'b']);
    failTimes('a', 3);
    clock.time = 1_000;
    health.startProbe('a');
    health.recordFailure('a'); // second ejection: 2 s
    clock.time = 3_000;
    health.startProbe('a');
    health.recordSuccess('a');
    clock.time = 3_000 + 8_000;
    health.recordSuccess('a');
    failTimes('a', 3);
    clock.time += 999;
    expect(health.status('a')).toBe('ejected');
    clock.time += 1;
    expect(health.status('a')).toBe('probe');
  });

  it('keeps flapping nodes out for longer when they fail again soon after returning', () => {
    const { clock, health, failTimes } = detector(['a', 'b']);
    failTimes('a', 3);
    clock.time = 1_000;
    health.startProbe('a');
    health.recordSuccess('a');
    clock.time = 1_500;
    failTimes('a', 3);
    clock.time = 1_500 + 1_999;
    expect(health.status('a')).toBe('ejected');
    clock.time = 1_500 + 2_000;
    expect(health.status('a')).toBe('probe');
  });

  it('never ejects more than maxEjectedShare of the nodes', () => {
    const { clock, health, failTimes } = detector(['a', 'b', 'c', 'd'], { maxEjectedShare: 0.5 });
    failTimes('a', 3);
    failTimes('b', 3);
    failTimes('c', 5);
    expect([health.status('a'), health.status('b'), health.status('c')]).toEqual([
      'ejected',
      'ejected',
      'healthy',
    ]);
    expect(health.ejectedCount()).toBe(2);
    // Once a slot frees up, the next failure of the failing node ejects it.
    clock.time = 1_000;
    health.startProbe('a');
    health.recordSuccess('a');
    health.recordFailure('c');
    expect(health.status('c')).toBe('ejected');
  });

  it('may eject a single replica, unless the share is 0', () => {
    const one = detector(['only']);
    one.failTimes('only', 3);
    expect(one.health.status('only')).toBe('ejected');
    const none = detector(['a', 'b'], { maxEjectedShare: 0 });
    none.failTimes('a', 10);
    expect(none.health.status('a')).toBe('healthy');
  });

  it('releases a probe that is never reported, without judging the node', () => {
    const { clock, health, failTimes } = detector(['a', 'b'], { probeTimeoutMs: 500 });
    failTimes('a', 3);
    clock.time = 1_000;
    expect(health.startProbe('a')).toBe(true);
    clock.time = 1_499;
    expect(health.status('a')).toBe('probing');
    clock.time = 1_500;
    expect(health.status('a')).toBe('probe');
    expect(health.startProbe('a')).toBe(true);
    health.releaseProbe('a');
    expect(health.status('a')).toBe('probe');
    // Still on its first ejection level: a failed probe now ejects for 2 s, not 4 s.
    expect(health.startProbe('a')).toBe(true);
    health.recordFailure('a');
    clock.time = 1_500 + 1_999;
    expect(health.status('a')).toBe('ejected');
    clock.time = 1_500 + 2_000;
    expect(health.status('a')).toBe('probe');
  });

  it('ignores late answers while ejected but treats a failure after the period as a failed probe', () => {
    const { clock, health, failTimes } = detector(['a', 'b']);
    failTimes('a', 3);
    health.recordSuccess('a');
    expect(health.status('a')).toBe('ejected');
    clock.time = 500;
    health.recordFailure('a');
    clock.time = 1_000;
    expect(health.status('a')).toBe('probe');
    health.recordFailure('a');
    expect(health.status('a')).toBe('ejected');
    clock.time = 2_999;
    expect(health.status('a')).toBe('ejected');
  });

  it('starts nodes it has not seen as healthy (instances of one cluster may list different nodes)', () => {
    const health = new OutlierDetector(['a']);
    expect(health.status('b')).toBe('healthy');
    health.recordFailure('b');
    expect(health.status('b')).toBe('healthy');
  });

  it('rejects bad options', () => {
    expect(() => new OutlierDetector(['a'], { maxEjectedShare: 2 })).toThrow(TypeError);
    expect(() => new OutlierDetector(['a'], { consecutiveFailures: 0 })).toThrow(TypeError);
    expect(() => new OutlierDetector(['a'], { baseEjectionMs: 10, maxEjectionMs: 5 })).toThrow(TypeError);
  });
});
