/** One measured (or pending) system in one scenario, as written to `bench/results/*.json`. */
export interface BenchResult {
  /** Scenario name: `router-overhead`, `geo-read`, `geo-read-after-write`, `cache-hit`, `bundle`. */
  readonly scenario: string;
  /** What was measured: `edge-db`, `kysely (primary only)`, `kysely-replication (random)`, ... */
  readonly system: string;
  /** A parameter of the scenario this row belongs to, e.g. `lag 20 ms` or `neon worker`. */
  readonly variant?: string;
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
  /** `pending` when the feature under test is not in the library yet: no numbers are reported. */
  readonly status?: 'ok' | 'pending' | 'failed';
  readonly notes?: string;
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
  readonly notes: string;
}

/** The whole results file. */
export interface BenchReport {
  readonly machine: MachineInfo;
  readonly results: readonly BenchResult[];
}
