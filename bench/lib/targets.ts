import type { BenchResult, BenchTarget, Comparison } from './bench-result.js';
import { formatComparison } from './comparison.js';

/** Where a target's figure comes from and when it is met. */
interface TargetDefinition {
  readonly figure: string;
  readonly main: string;
  readonly target: string;
  readonly scenario: string;
  readonly system: string;
  readonly variant?: string;
  /** The figure(s) of the row: each a value with its text; the target is met when every check passes. */
  measure(row: BenchResult, results: readonly BenchResult[]): readonly Check[] | undefined;
}

interface Check {
  readonly text: string;
  readonly met: boolean;
}

const comparison = (row: BenchResult, label: string): Comparison | undefined =>
  row.comparisons?.find((c) => c.label === label);

/** A check on the median of one comparison of the row. */
const onComparison =
  (label: string, met: (median: number) => boolean) =>
  (row: BenchResult): Check[] | undefined => {
    const c = comparison(row, label);
    return c === undefined ? undefined : [{ text: formatComparison(c), met: met(c.median) }];
  };

/**
 * Issue 15's targets (ratios in one `npm run bench` run) and the geo scenarios' own, with the value each had on
 * main before the work on them (bench/results/latest.json of 2026-11-24 and issue 15).
 */
export const TARGETS: readonly TargetDefinition[] = [
  {
    figure: 'PostgreSQL write with token, vs plain Kysely write',
    main: '2.1x',
    target: '<= 1.1x',
    scenario: 'geo-read-after-write',
    system: 'edge-db',
    variant: 'lag 0 ms',
    measure: onComparison('write vs plain Kysely write', (m) => m <= 1.1),
  },
  {
    figure: 'read after write on a caught-up replica, vs near-replica read',
    main: '2.1x',
    target: '<= 1.3x',
    scenario: 'geo-read-after-write',
    // The check rides in the read's round trip only over a pipelining connection (node-postgres `pipeline: true`
    // with pipelinedPostgresReplication); the default adapter's row is in the scenario's table.
    system: 'edge-db (pg pipeline)',
    variant: 'lag 0 ms',
    measure: onComparison('read vs near-replica read', (m) => m <= 1.3),
  },
  {
    figure: 'router overhead on the stub, added per read',
    main: '+29 µs (8.5x)',
    target: '<= 5 µs (<= 2x)',
    scenario: 'router-overhead',
    system: 'edge-db',
    variant: 'in-process stub',
    measure: (row) => {
      const added = comparison(row, 'added vs kysely');
      const ratio = comparison(row, 'vs kysely');
      if (added === undefined || ratio === undefined) return undefined;
      return [
        { text: formatComparison(added), met: added.median <= 5 },
        { text: formatComparison(ratio), met: ratio.median <= 2 },
      ];
    },
  },
  {
    figure: '`edgeDb()` per query, added',
    main: '+43 µs',
    target: '<= 10 µs',
    scenario: 'router-overhead',
    system: 'edge-db (instance per query)',
    variant: 'in-process stub',
    measure: onComparison('added vs kysely', (m) => m <= 10),
  },
  {
    figure: 'cache hit vs Kysely compile',
    main: '3.5x',
    target: '<= 2x',
    scenario: 'cache-hit',
    system: 'edge-db (cache hit)',
    measure: onComparison('vs kysely compile', (m) => m <= 2),
  },
  {
    figure: 'core bundle, gzip',
    main: '31.3 KB',
    target: '<= 15 KB',
    scenario: 'bundle',
    system: 'edge-db (core, no peers)',
    variant: 'library',
    measure: (row) => {
      const bytes = row.values?.gzip_bytes;
      return bytes === undefined
        ? undefined
        : [{ text: `${(bytes / 1000).toFixed(1)} KB`, met: bytes <= 15_000 }];
    },
  },
  {
    figure: 'edge-db + neon Worker vs kysely + neon (gzip)',
    main: '1.41x',
    target: '<= 1.2x',
    scenario: 'bundle',
    system: 'edge-db + neon',
    variant: 'neon worker',
    measure: (row, results) => {
      const kysely = results.find((r) => r.scenario === 'bundle' && r.system === 'kysely + neon');
      const a = row.values?.gzip_bytes;
      const b = kysely?.values?.gzip_bytes;
      if (a === undefined || b === undefined) return undefined;
      return [{ text: `${(a / b).toFixed(2)}x`, met: a / b <= 1.2 }];
    },
  },
  {
    figure: 'libSQL read after write, proxy pulling every 1000 ms, vs always-primary read',
    main: '3.2x (db65e96)',
    target: '<= 1x',
    scenario: 'libsql-pull',
    system: 'edge-db',
    variant: 'pull every 1000 ms: read after write',
    measure: onComparison('read vs always-primary read', (m) => m <= 1),
  },
  {
    figure: 'geo-read p50, vs near-replica read',
    main: '1.06x',
    target: '<= 1.2x',
    scenario: 'geo-read',
    system: 'edge-db',
    measure: onComparison('vs near replica', (m) => m <= 1.2),
  },
  {
    figure: 'geo-read, speed-up over primary-only',
    main: '24.6x',
    target: '>= 5x',
    scenario: 'geo-read',
    system: 'edge-db',
    measure: onComparison('primary-only vs this', (m) => m >= 5),
  },
  {
    figure: 'read after write (lag 20 ms < primary RTT), vs always-primary read',
    main: '0.08x',
    target: '< 1x',
    scenario: 'geo-read-after-write',
    system: 'edge-db',
    variant: 'lag 20 ms',
    measure: onComparison('read vs always-primary read', (m) => m < 1),
  },
  {
    figure: 'stale reads after a write with a token (every lag and topology)',
    main: '0',
    target: '0',
    scenario: 'geo-read-after-write',
    system: 'edge-db',
    measure: (_row, results) => {
      const rows = results.filter(
        (r) => r.system.startsWith('edge-db') && r.stale_reads !== undefined && r.status !== 'failed',
      );
      if (rows.length === 0) return undefined;
      const stale = rows.reduce((sum, r) => sum + (r.stale_reads ?? 0), 0);
      return [{ text: `${stale} in ${rows.length} rows`, met: stale === 0 }];
    },
  },
];

/** The targets with this run's figures; a target whose row is missing or failed is `not measured`. */
export function computeTargets(results: readonly BenchResult[]): BenchTarget[] {
  return TARGETS.map((definition) => {
    const row = results.find(
      (r) =>
        r.scenario === definition.scenario &&
        r.system === definition.system &&
        (definition.variant === undefined || r.variant === definition.variant) &&
        r.status !== 'failed' &&
        r.status !== 'pending',
    );
    const source = `${definition.scenario} / ${definition.system}${definition.variant ? ` (${definition.variant})` : ''}`;
    const checks = row === undefined ? undefined : definition.measure(row, results);
    const base = { figure: definition.figure, main: definition.main, target: definition.target, source };
    if (checks === undefined || checks.length === 0)
      return { ...base, measured: null, status: 'not measured' };
    return {
      ...base,
      measured: checks.map((c) => c.text).join(' · '),
      status: checks.every((c) => c.met) ? 'met' : 'missed',
    };
  });
}
