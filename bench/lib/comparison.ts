import type { Comparison } from './bench-result.js';
import { pairedDifferenceUs, pairedRatio } from './interleave.js';
import { round } from './percentiles.js';

/** Per-round `a / b` of two interleaved arms as a {@link Comparison}. */
export function ratioComparison(label: string, a: readonly number[], b: readonly number[]): Comparison {
  const interval = pairedRatio(a, b);
  return {
    label,
    kind: 'ratio',
    median: round(interval.median, 3),
    low: round(interval.low, 3),
    high: round(interval.high, 3),
    rounds: interval.n,
    confidence: round(interval.confidence, 3),
  };
}

/** Per-round `a - b` (values in ms, result in µs) of two interleaved arms as a {@link Comparison}. */
export function addedUsComparison(label: string, a: readonly number[], b: readonly number[]): Comparison {
  const interval = pairedDifferenceUs(a, b);
  return {
    label,
    kind: 'added_us',
    median: round(interval.median, 2),
    low: round(interval.low, 2),
    high: round(interval.high, 2),
    rounds: interval.n,
    confidence: round(interval.confidence, 3),
  };
}

/** `1.06x [1.03, 1.09]` or `+29.3 µs [28.1, 30.2]`. */
export function formatComparison(c: Comparison): string {
  if (c.kind === 'ratio') return `${fixed(c.median)}x [${fixed(c.low)}, ${fixed(c.high)}]`;
  const sign = (v: number) => (v >= 0 ? `+${fixed(v)}` : fixed(v));
  return `${sign(c.median)} µs [${sign(c.low)}, ${sign(c.high)}]`;
}

function fixed(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
