import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../..', import.meta.url).pathname;

interface BenchRow {
  readonly scenario: string;
  readonly p50_ms?: number;
  readonly p95_ms?: number;
  readonly p99_ms?: number;
  readonly values?: Readonly<Record<string, number>>;
}

/** Every millisecond figure of the last benchmark run (latencies, and `*_ms` values such as write p50). */
function benchFiguresMs(): number[] {
  const latest = JSON.parse(readFileSync(join(root, 'bench/results/latest.json'), 'utf8')) as {
    results: BenchRow[];
  };
  return latest.results.flatMap((row) => [
    ...[row.p50_ms, row.p95_ms, row.p99_ms].filter((value): value is number => typeof value === 'number'),
    ...Object.entries(row.values ?? {})
      .filter(([name]) => name.endsWith('_ms'))
      .map(([, value]) => value),
  ]);
}

// docs/deployments.md quotes measured figures with decimals ("142.68 ms", "13.5 µs"); settings are whole
// numbers ("70 ms one way", "5 s"). Each measured figure must be one of bench/results/latest.json, rounded
// as written, so a new benchmark run that changes them makes this fail until the guide is updated.
describe('docs/deployments.md', () => {
  it('quotes only figures that are in bench/results/latest.json', () => {
    const text = readFileSync(join(root, 'docs/deployments.md'), 'utf8');
    const quoted = [...text.matchAll(/(\d+\.\d+)\s*(ms|µs)\b/g)].map(([, number = '', unit = '']) => ({
      number,
      unit,
    }));
    expect(quoted.length).toBeGreaterThan(5);
    const figures = benchFiguresMs();
    const missing = quoted.filter(({ number, unit }) => {
      const decimals = number.split('.')[1]?.length ?? 0;
      const scale = unit === 'µs' ? 1000 : 1;
      return !figures.some((ms) => (ms * scale).toFixed(decimals) === number);
    });
    expect(missing.map(({ number, unit }) => `${number} ${unit}`)).toEqual([]);
  });
});
