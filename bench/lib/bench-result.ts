/**
 * A paired comparison of two arms measured interleaved in one run: the median of per-round ratios (or
 * differences) and a distribution-free confidence interval of that median.
 */
export interface Comparison {
  /** What is compared, e.g. `vs kysely` or `write vs plain Kysely write`. */
  readonly label: string;
  /** `ratio`: a / b per round; `added_us`: (a - b) per round in microseconds. */
  readonly kind: 'ratio' | 'added_us';
  readonly median: number;
  readonly low: number;
  readonly high: number;
  /** Paired rounds the interval is built from. */
  readonly rounds: number;
  /** Coverage of [low, high] (0.95 unless there were too few rounds). */
  readonly confidence: number;
}

/** One measured (or pending) system in one scenario, as written to `bench/results/*.json`. */
export interface BenchResult {
  /** Scenario name: `router-overhead`, `geo-read`, `geo-read-after-write`, `cache-hit`, `bundle`, ... */
  readonly scenario: string;
  /** What was measured: `edge-db`, `kysely (primary only)`, `kysely-replication (random)`, ... */
  readonly system: string;
  /** A parameter of the scenario this row belongs to, e.g. `lag 20 ms` or `neon worker`. */
  readonly variant?: string;
  /** The deployment the row models (`same-region postgres`, `cross-region postgres`, `libsql pulling proxies`). */
  readonly topology?: string;
  /** Median of the per-operation samples, in milliseconds (`null` for rows that are not timings). */
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
  readonly p99_ms: number | null;
  /** Number of measured operations (warm-up excluded). */
  readonly ops: number;
  /** Reads that did not see the value written just before them (read-after-write scenarios only). */
  readonly stale_reads?: number;
  /** Scenario-specific numbers that are not latencies (bytes, ratios, ops per second). */
  readonly values?: Readonly<Record<string, number>>;
  /** Paired comparisons with other rows of the same run, measured interleaved. */
  readonly comparisons?: readonly Comparison[];
  /** `pending` when the feature under test is not in the library yet: no numbers are reported. */
  readonly status?: 'ok' | 'pending' | 'failed';
  readonly notes?: string;
}

/** One figure of issue 15's (and the geo scenarios') targets, computed from the results of the same run. */
export interface BenchTarget {
  readonly figure: string;
  /** The value measured on main before the work on the target, as text (e.g. `+29 µs (8.5x)`). */
  readonly main: string;
  /** The target, as text (e.g. `<= 5 µs (<= 2x)`). */
  readonly target: string;
  /** This run's value with its interval, as text; `null` when the scenario did not run or failed. */
  readonly measured: string | null;
  readonly status: 'met' | 'missed' | 'not measured';
  /** The result row(s) the figure comes from. */
  readonly source: string;
}

/** Where and how the numbers were taken. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memory_gb: number;
  readonly node: string;
  readonly os: string;
  readonly date: string;
  readonly mode: 'full' | 'quick';
  /** The commit whose code was measured (`-dirty`: with uncommitted changes under `src/`). */
  readonly commit?: string;
  readonly notes: string;
  /** Wall time of the whole run, in seconds. */
  readonly wall_s?: number;
  /** Wall time of each scenario, in seconds. */
  readonly scenario_wall_s?: Readonly<Record<string, number>>;
}

/** The whole results file. */
export interface BenchReport {
  readonly machine: MachineInfo;
  /** Issue 15's targets (and the geo targets) as rows: figure, main's value, target, measured. */
  readonly targets?: readonly BenchTarget[];
  readonly results: readonly BenchResult[];
}
