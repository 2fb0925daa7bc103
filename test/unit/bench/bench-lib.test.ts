import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../../bench/lib/bench-options.js';
import type { BenchReport } from '../../../bench/lib/bench-result.js';
import { quantile, summarize } from '../../../bench/lib/percentiles.js';
import { renderMarkdown } from '../../../bench/lib/render-markdown.js';
import { chartPanels, renderSvg } from '../../../bench/lib/render-svg.js';

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
    { scenario: 'geo-read', system: 'edge-db', p50_ms: 5.5, p95_ms: 7, p99_ms: 8, ops: 10 },
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
      variant: 'lag 20 ms',
      p50_ms: 12,
      p95_ms: 14,
      p99_ms: 15,
      ops: 5,
      stale_reads: 0,
      values: { lag_ms: 20 },
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

describe('docs rendering', () => {
  it('states which targets were met and which were missed', () => {
    const markdown = renderMarkdown(report, scenarios, 'benchmarks.svg');
    expect(markdown).toContain('geo-read, edge-db: p50 within 20%');
    expect(markdown).toMatch(/geo-read, edge-db: .*\(1\.10x\) — \*\*met\*\*; .*25\.5x — \*\*met\*\*/);
    expect(markdown).toMatch(/edge-db \(no region hints\): .*\*\*missed\*\*/);
    expect(markdown).toMatch(
      /lag 20 ms: faster than always-primary .* \*\*met\*\*; zero stale reads \(0\) — \*\*met\*\*/,
    );
    expect(markdown).toContain('cache-hit / edge-db (cache hit): **pending**');
    expect(markdown).toContain('| Test CPU | 2 | 4 GB | v20 | linux |');
  });

  it('draws one bar per timed row with escaped labels and scales to the largest p95', () => {
    const panels = chartPanels(report.results);
    expect(panels.map((p) => p.bars.length)).toEqual([4, 2]);
    const svg = renderSvg(panels);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('kysely (primary only)');
    expect(svg).not.toMatch(/NaN|undefined/);
    expect(
      renderSvg([{ title: 'a < b & c', bars: [{ label: '"x"', p50: 1, p95: 2, accent: true }] }]),
    ).toContain('a &#60; b &#38; c');
  });
});
