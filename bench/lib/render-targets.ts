import type { BenchResult, BenchTarget } from './bench-result.js';
import { formatComparison } from './comparison.js';

/** The targets as a Markdown table: figure, main's value, target, this run's value, status. */
export function targetsTable(targets: readonly BenchTarget[]): string[] {
  if (targets.length === 0) return ['- (no targets in this results file)'];
  const out = [
    '| figure | main | target | measured (median [95% CI]) | status | from |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const t of targets) {
    const status = t.status === 'met' ? 'met' : t.status === 'missed' ? '**missed**' : 'not measured';
    out.push(`| ${t.figure} | ${t.main} | ${t.target} | ${t.measured ?? '—'} | ${status} | ${t.source} |`);
  }
  return out;
}

/** The order topologies are shown in, with one line on what each models. */
export const TOPOLOGIES: readonly { readonly name: string; readonly about: string }[] = [
  {
    name: 'same-region postgres',
    about:
      "Neon read replicas (or any replicas in the primary's region): about 1 ms from the caller; the gain is offload and read-your-writes, not distance.",
  },
  {
    name: 'cross-region postgres',
    about:
      'RDS/Aurora, Supabase, Crunchy Bridge or self-hosted replicas in other regions, through node-postgres (or Hyperdrive): the caller is near a replica and far from the primary.',
  },
  {
    name: 'libsql pulling proxies',
    about:
      "Turso's database-CDN shape: a proxy near the caller whose embedded replica pulls the primary's WAL every N ms and forwards writes; the primary is far.",
  },
  {
    name: 'libsql sqld replicas',
    about:
      "Self-hosted sqld replicas (streamed replication, writes forwarded); modelled by the local cluster's `forwarding` replicas.",
  },
];

/** Per topology: edge-db's rows with their comparisons, share of reads on replicas and stale reads. */
export function topologyTables(results: readonly BenchResult[]): string[] {
  const out: string[] = [];
  for (const topology of TOPOLOGIES) {
    const rows = results.filter((r) => r.topology === topology.name && r.system.startsWith('edge-db'));
    if (rows.length === 0) continue;
    out.push(
      `### ${topology.name}`,
      '',
      topology.about,
      '',
      '| scenario | variant | p50 ms | compared (median [95% CI]) | reads on replicas | stale reads |',
      '| --- | --- | ---: | --- | ---: | ---: |',
    );
    for (const r of rows) {
      const share = r.values?.replica_read_share;
      out.push(
        `| ${r.scenario} | ${r.variant ?? r.system} | ${ms(r.p50_ms)} | ${comparisonsCell(r)} | ${share === undefined ? '' : `${Math.round(share * 100)}%`} | ${r.stale_reads ?? ''} |`,
      );
    }
    out.push('');
  }
  return out;
}

/** `label: 1.06x [1.03, 1.09]<br>...` for a table cell. */
export function comparisonsCell(row: BenchResult): string {
  return (row.comparisons ?? []).map((c) => `${c.label}: ${formatComparison(c)}`).join('<br>');
}

/** Milliseconds with precision that suits the magnitude; `—` for no value. */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value >= 100) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toFixed(4);
}
