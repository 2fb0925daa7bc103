import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../../bench/lib/bench-options.js';
import type { BenchReport } from '../../../bench/lib/bench-result.js';
import { quantile, summarize } from '../../../bench/lib/percentiles.js';
import { renderMarkdown } from '../../../bench/lib/render-markdown.js';
import { chartPanels, renderSvg } from '../../../bench/lib/render-svg.js';
import { computeTargets } from '../../../bench/lib/targets.js';

const ratio = (label: string, median: number) => ({
  label,
  kind: 'ratio' as const,
  median,
  low: median * 0.9,
  high: median * 1.1,
  rounds: 40,
  confidence: 0.96,
});

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.95)).toBe(95);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile([7], 0.99)).toBe(7);
    expect(() => quantile([], 0.5)).toThrow(RangeError);
  });

  it('summarizes unsorted samples', () => {
    expect(summarize([3, 1, 2, 4])).toEqual({ p50_ms: 2, p95_ms: 4, p99_ms: 4, mean_ms: 2.5, ops: 4 });
  });
});

describe('parseBenchOptions', () => {
  it('parses every flag and rejects unknown ones', () => {
    expect(parseBenchOptions(['--quick', '--only=geo-read,bundle', '--out=x.json', '--no-docs'])).toEqual({
      quick: true,
      only: ['geo-read', 'bundle'],
      out: 'x.json',
      docs: false,
      renderOnly: false,
    });
    expect(() => parseBenchOptions(['--fast'])).toThrow(/unknown argument "--fast"/);
  });
});

const report: BenchReport = {
  machine: {
    cpu: 'Test CPU',
    cores: 2,
    memory_gb: 4,
    node: 'v20',
    os: 'linux',
    date: '2026-01-01T00:00:00Z',
    mode: 'full',
    notes: 'n',
  },
  results: [
    { scenario: 'geo-read', system: 'kysely (near replica only)', p50_ms: 5, p95_ms: 6, p99_ms: 7, ops: 10 },
    { scenario: 'geo-read', system: 'kysely (primary only)', p50_ms: 140, p95_ms: 150, p99_ms: 160, ops: 10 },
    {
      scenario: 'geo-read',
      system: 'edge-db',
      topology: 'cross-region postgres',
      p50_ms: 5.5,
      p95_ms: 7,
      p99_ms: 8,
      ops: 10,
      comparisons: [ratio('vs near replica', 1.1), ratio('primary-only vs this', 25.5)],
    },
    {
      scenario: 'geo-read',
      system: 'edge-db (no region hints)',
      p50_ms: 80,
      p95_ms: 85,
      p99_ms: 90,
      ops: 10,
    },
    {
      scenario: 'geo-read-after-write',
      system: 'edge-db',
      variant: 'lag 0 ms',
      topology: 'cross-region postgres',
      p50_ms: 12,
      p95_ms: 14,
      p99_ms: 15,
      ops: 5,
      stale_reads: 0,
      values: { lag_ms: 0, replica_read_share: 1 },
      comparisons: [ratio('write vs plain Kysely write', 2.1), ratio('read vs near-replica read', 2.0)],
    },
    {
      scenario: 'geo-read-after-write',
      system: 'edge-db (pg pipeline)',
      variant: 'lag 0 ms',
      topology: 'cross-region postgres',
      p50_ms: 7,
      p95_ms: 8,
      p99_ms: 9,
      ops: 5,
      stale_reads: 0,
      values: { lag_ms: 0, replica_read_share: 1 },
      comparisons: [ratio('read vs near-replica read', 1.25)],
    },
    {
      scenario: 'router-overhead',
      system: 'edge-db',
      variant: 'in-process stub',
      status: 'failed',
      p50_ms: null,
      p95_ms: null,
      p99_ms: null,
      ops: 0,
      comparisons: [ratio('vs kysely', 1.5)],
    },
    {
      scenario: 'geo-read-after-write',
      system: 'always-primary-after-write',
      variant: 'lag 20 ms',
      p50_ms: 140,
      p95_ms: 145,
      p99_ms: 150,
      ops: 5,
      stale_reads: 0,
      values: { lag_ms: 20 },
    },
    {
      scenario: 'cache-hit',
      system: 'edge-db (cache hit)',
      p50_ms: null,
      p95_ms: null,
      p99_ms: null,
      ops: 0,
      status: 'pending',
      notes: 'not wired',
    },
  ],
};
const scenarios = ['geo-read', 'geo-read-after-write', 'cache-hit'].map((name) => ({
  name,
  description: `about ${name}`,
  run: async () => [],
}));

describe('computeTargets', () => {
  it('marks each target met, missed or not measured from the rows of the run', () => {
    const byFigure = new Map(computeTargets(report.results).map((t) => [t.figure, t]));
    expect(byFigure.get('PostgreSQL write with token, vs plain Kysely write')?.status).toBe('missed');
    expect(byFigure.get('geo-read p50, vs near-replica read')).toMatchObject({
      status: 'met',
      measured: '1.10x [0.99, 1.21]',
      main: '1.06x',
      source: 'geo-read / edge-db',
    });
    expect(byFigure.get('router overhead on the stub, added per read')?.status).toBe('not measured');
    expect(byFigure.get('stale reads after a write with a token (every lag and topology)')).toMatchObject({
      status: 'met',
      measured: '0 in 2 rows',
    });
    // The caught-up read's target is measured on the pipelining arm, not the default adapter's row.
    expect(byFigure.get('read after write on a caught-up replica, vs near-replica read')).toMatchObject({
      status: 'met',
      source: 'geo-read-after-write / edge-db (pg pipeline) (lag 0 ms)',
    });
    const stale = computeTargets([
      ...report.results,
      { scenario: 'libsql-pull', system: 'edge-db', p50_ms: 1, p95_ms: 1, p99_ms: 1, ops: 1, stale_reads: 2 },
    ]).find((t) => t.figure.startsWith('stale reads'));
    expect(stale).toMatchObject({ status: 'missed', measured: '2 in 3 rows' });
  });
});

describe('docs rendering', () => {
  it('states which targets were met and which were missed', () => {
    const markdown = renderMarkdown(report, scenarios, 'benchmarks.svg');
    expect(markdown).toContain(
      '| PostgreSQL write with token, vs plain Kysely write | 2.1x | <= 1.1x | 2.10x [1.89, 2.31] | **missed** |',
    );
    expect(markdown).toContain(
      '| read after write on a caught-up replica, vs near-replica read | 2.1x | <= 1.3x | 1.25x [1.13, 1.38] | met |',
    );
    expect(markdown).toMatch(
      /\| geo-read, speed-up over primary-only \| 24\.6x \| >= 5x \| 25\.5x .* \| met \|/,
    );
    // A failed row gives no figure, and a scenario that did not run is not measured either.
    expect(markdown).toMatch(/\| router overhead on the stub, added per read \| .* \| — \| not measured \|/);
    expect(markdown).toMatch(/\| core bundle, gzip \| 31\.3 KB \| <= 15 KB \| — \| not measured \|/);
    expect(markdown).toContain('cache-hit / edge-db (cache hit): **pending**');
    expect(markdown).toContain('### cross-region postgres');
    expect(markdown).toContain(
      '| geo-read-after-write | lag 0 ms | 12.00 | write vs plain Kysely write: 2.10x',
    );
    expect(markdown).toContain('| 100% | 0 |');
    expect(markdown).toContain('compared (median [95% CI])');
    expect(markdown).toContain('| Test CPU | 2 | 4 GB | v20 | linux |');
  });

  it('draws one bar per timed row with escaped labels and scales to the largest p95', () => {
    const panels = chartPanels(report.results);
    expect(panels.map((p) => p.bars.length)).toEqual([4, 3]);
    expect(panels[1]?.bars[0]?.label).toBe('lag 0 ms: edge-db');
    const svg = renderSvg(panels);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('kysely (primary only)');
    expect(svg).not.toMatch(/NaN|undefined/);
    expect(
      renderSvg([{ title: 'a < b & c', bars: [{ label: '"x"', p50: 1, p95: 2, accent: true }] }]),
    ).toContain('a &#60; b &#38; c');
  });
});
