import { describe, expect, it } from 'vitest';
import { LatencyTracker } from '../../../../../src/router/select/health/latency-tracker.js';

function trackerAt(options: ConstructorParameters<typeof LatencyTracker>[0] = {}) {
  const clock = { time: 0 };
  const tracker = new LatencyTracker({ now: () => clock.time, ...options });
  return { clock, tracker };
}

describe('LatencyTracker estimate', () => {
  it('answers the prior before any measurement and undefined without one', () => {
    const { tracker } = trackerAt();
    expect(tracker.estimateMs(42)).toBe(42);
    expect(tracker.estimateMs()).toBeUndefined();
    expect(tracker.isMeasured()).toBe(false);
  });

  it('lets one fresh measurement outweigh the prior', () => {
    const { tracker } = trackerAt();
    tracker.record(10);
    expect(tracker.isMeasured()).toBe(true);
    expect(tracker.estimateMs()).toBe(10);
    const blended = tracker.estimateMs(100)!;
    expect(blended).toBeGreaterThan(10);
    expect(blended).toBeLessThan(12);
  });

  it('weighs a sample one half-life old at one half', () => {
    const { clock, tracker } = trackerAt({ halfLifeMs: 1_000 });
    tracker.record(10);
    clock.time = 1_000;
    tracker.record(40);
    expect(tracker.estimateMs()).toBeCloseTo((10 * 0.5 + 40) / 1.5, 9);
  });

  it('follows a change of latency within a few half-lives', () => {
    const { clock, tracker } = trackerAt({ halfLifeMs: 1_000 });
    for (let i = 0; i < 50; i++, clock.time += 100) tracker.record(10);
    for (let i = 0; i < 20; i++, clock.time += 100) tracker.record(50);
    const after2s = tracker.estimateMs()!;
    expect(after2s).toBeGreaterThan(35);
    for (let i = 0; i < 40; i++, clock.time += 100) tracker.record(50);
    expect(tracker.estimateMs()).toBeGreaterThan(49);
  });

  it('decays back to the prior after long silence, so a moved isolate re-learns', () => {
    const { clock, tracker } = trackerAt({ halfLifeMs: 10_000 });
    for (let i = 0; i < 10; i++, clock.time += 1_000) tracker.record(5);
    expect(tracker.estimateMs(100)!).toBeLessThan(6);
    clock.time += 60_000;
    expect(tracker.estimateMs(100)!).toBeLessThan(50);
    clock.time += 120_000;
    expect(tracker.estimateMs(100)!).toBeGreaterThan(95);
    expect(tracker.isMeasured()).toBe(false);
    // Without a prior the last measurement is all there is.
    expect(tracker.estimateMs()).toBeCloseTo(5, 9);
  });

  it('ignores non-finite samples and clamps negative ones', () => {
    const { tracker } = trackerAt();
    tracker.record(Number.NaN);
    tracker.record(Number.POSITIVE_INFINITY);
    expect(tracker.isMeasured()).toBe(false);
    tracker.record(-3);
    expect(tracker.estimateMs()).toBe(0);
  });

  it('does not inflate weights when the clock steps back', () => {
    const { clock, tracker } = trackerAt({ halfLifeMs: 1_000 });
    clock.time = 10_000;
    tracker.record(10);
    clock.time = 5_000;
    tracker.record(30);
    expect(tracker.estimateMs()).toBe(20);
  });
});

describe('LatencyTracker percentile', () => {
  it('reports the nearest-rank p95 of recent samples', () => {
    const { tracker } = trackerAt();
    for (let i = 20; i >= 1; i--) tracker.record(i);
    expect(tracker.percentileMs(0.95)).toBe(19);
    expect(tracker.percentileMs(0.5)).toBe(10);
    expect(tracker.percentileMs(1)).toBe(20);
  });

  it('needs a minimum of samples', () => {
    const { tracker } = trackerAt({ minPercentileSamples: 3 });
    tracker.record(1);
    tracker.record(2);
    expect(tracker.percentileMs()).toBeUndefined();
    tracker.record(3);
    expect(tracker.percentileMs()).toBe(3);
  });

  it('keeps only the newest samples of its ring buffer', () => {
    const { tracker } = trackerAt({ sampleCapacity: 8, minPercentileSamples: 1 });
    for (let i = 0; i < 8; i++) tracker.record(1_000);
    for (let i = 0; i < 8; i++) tracker.record(10);
    expect(tracker.percentileMs(1)).toBe(10);
  });

  it('forgets samples older than the window', () => {
    const { clock, tracker } = trackerAt({ percentileWindowMs: 1_000, minPercentileSamples: 1 });
    tracker.record(500);
    clock.time = 900;
    tracker.record(20);
    expect(tracker.percentileMs(1)).toBe(500);
    clock.time = 1_500;
    expect(tracker.percentileMs(1)).toBe(20);
    clock.time = 3_000;
    expect(tracker.percentileMs(1)).toBeUndefined();
  });
});

describe('LatencyTracker load', () => {
  it('counts requests in flight and never below zero', () => {
    const { tracker } = trackerAt();
    tracker.begin();
    tracker.begin();
    expect(tracker.inFlight).toBe(2);
    tracker.end();
    tracker.end();
    tracker.end();
    expect(tracker.inFlight).toBe(0);
  });

  it('lets recent load fade with its half-life', () => {
    const { clock, tracker } = trackerAt({ loadHalfLifeMs: 1_000 });
    for (let i = 0; i < 4; i++) tracker.begin();
    expect(tracker.recentLoad()).toBe(4);
    clock.time = 1_000;
    expect(tracker.recentLoad()).toBeCloseTo(2, 9);
    clock.time = 2_000;
    tracker.begin();
    expect(tracker.recentLoad()).toBeCloseTo(2, 9);
  });
});

describe('LatencyTracker options', () => {
  it('rejects bad options with a TypeError', () => {
    expect(() => new LatencyTracker({ halfLifeMs: 0 })).toThrow(
      new TypeError('halfLifeMs must be a positive finite number'),
    );
    expect(() => new LatencyTracker({ priorWeight: Number.NaN })).toThrow(TypeError);
    expect(() => new LatencyTracker({ sampleCapacity: 2.5 })).toThrow(TypeError);
  });

  it('does not let one slow answer make a near node look far, but follows a node that really slowed down', () => {
    let now = 0;
    const tracker = new LatencyTracker({ now: () => now });
    for (let i = 0; i < 20; i++) {
      now += 10;
      tracker.record(3);
    }
    now += 10;
    tracker.record(363);
    expect(tracker.estimateMs()).toBeLessThan(10);
    for (let i = 0; i < 6; i++) {
      now += 10;
      tracker.record(363);
    }
    expect(tracker.estimateMs()).toBeGreaterThan(60);
    // Percentiles (for hedging) keep the raw answers.
    expect(tracker.percentileMs(1)).toBe(363);
  });
});
