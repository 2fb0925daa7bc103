import type { BenchResult } from './bench-result.js';
import type { GeoBed } from './postgres-geo-bed.js';

/** What every scenario gets from the runner. */
export interface ScenarioContext {
  readonly quick: boolean;
  /** Progress output (stderr), so stdout stays clean. */
  log(message: string): void;
  /** The PostgreSQL geo bed, started on first use and stopped by the runner (also on errors). */
  geoBed(): Promise<GeoBed>;
}

/** One benchmark scenario; it starts and stops everything it needs itself (try/finally). */
export interface Scenario {
  readonly name: string;
  /** One line for the docs: what is compared and how. */
  readonly description: string;
  run(context: ScenarioContext): Promise<BenchResult[]>;
}

/** Copies a latency summary into a result row. */
export function latencyRow(
  base: Omit<BenchResult, 'p50_ms' | 'p95_ms' | 'p99_ms' | 'ops'>,
  summary: {
    readonly p50_ms: number;
    readonly p95_ms: number;
    readonly p99_ms: number;
    readonly ops: number;
  },
): BenchResult {
  return {
    ...base,
    p50_ms: summary.p50_ms,
    p95_ms: summary.p95_ms,
    p99_ms: summary.p99_ms,
    ops: summary.ops,
  };
}
