import type { BenchResult } from './bench-result.js';

/** One horizontal bar: the p50, with a whisker out to the p95. */
export interface ChartBar {
  readonly label: string;
  readonly p50: number;
  readonly p95: number;
  /** Highlighted bars (edge-db) are drawn in the accent colour. */
  readonly accent: boolean;
}

/** A titled group of bars sharing one linear scale. */
export interface ChartPanel {
  readonly title: string;
  readonly bars: readonly ChartBar[];
}

const WIDTH = 820;
const LABEL_WIDTH = 300;
const BAR_HEIGHT = 18;
const BAR_GAP = 6;
const PANEL_TITLE = 28;
const PANEL_GAP = 18;
const AXIS = 22;

/** Hand-made SVG (no plotting dependency): one panel per scenario, p50 bars with p95 whiskers, in ms. */
export function renderSvg(panels: readonly ChartPanel[]): string {
  const parts: string[] = [];
  let y = 10;
  for (const panel of panels) {
    parts.push(renderPanel(panel, y));
    y += panelHeight(panel) + PANEL_GAP;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${y}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function panelHeight(panel: ChartPanel): number {
  return PANEL_TITLE + panel.bars.length * (BAR_HEIGHT + BAR_GAP) + AXIS;
}

function renderPanel(panel: ChartPanel, top: number): string {
  const plotLeft = LABEL_WIDTH + 10;
  const plotWidth = WIDTH - plotLeft - 70;
  const max = niceMax(Math.max(1e-9, ...panel.bars.map((bar) => Math.max(bar.p50, bar.p95))));
  const x = (value: number) => plotLeft + (value / max) * plotWidth;
  const out: string[] = [
    `<g>`,
    `<text x="10" y="${top + 16}" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`,
  ];
  const barsTop = top + PANEL_TITLE;
  const barsBottom = barsTop + panel.bars.length * (BAR_HEIGHT + BAR_GAP);
  for (const tick of ticks(max)) {
    out.push(
      `<line x1="${fmt(x(tick))}" y1="${barsTop - 4}" x2="${fmt(x(tick))}" y2="${barsBottom}" stroke="#e5e5e5"/>`,
      `<text x="${fmt(x(tick))}" y="${barsBottom + 14}" text-anchor="middle" fill="#555">${formatMs(tick)}</text>`,
    );
  }
  panel.bars.forEach((bar, i) => {
    const yBar = barsTop + i * (BAR_HEIGHT + BAR_GAP);
    const mid = yBar + BAR_HEIGHT / 2;
    const fill = bar.accent ? '#d9480f' : '#868e96';
    out.push(
      `<text x="${LABEL_WIDTH}" y="${mid + 4}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${plotLeft}" y="${yBar}" width="${fmt(Math.max(1, x(bar.p50) - plotLeft))}" height="${BAR_HEIGHT}" fill="${fill}"/>`,
      `<line x1="${fmt(x(bar.p50))}" y1="${mid}" x2="${fmt(x(bar.p95))}" y2="${mid}" stroke="#212529"/>`,
      `<line x1="${fmt(x(bar.p95))}" y1="${yBar + 4}" x2="${fmt(x(bar.p95))}" y2="${yBar + BAR_HEIGHT - 4}" stroke="#212529"/>`,
      `<text x="${fmt(Math.max(x(bar.p50), x(bar.p95)) + 6)}" y="${mid + 4}" fill="#212529">${formatMs(bar.p50)}</text>`,
    );
  });
  out.push(
    `<text x="${WIDTH - 10}" y="${top + 16}" text-anchor="end" fill="#555">bar: p50, whisker: p95 (ms)</text>`,
    '</g>',
  );
  return out.join('\n');
}

/** The chart's panels from a results file: one per network scenario that ran. */
export function chartPanels(results: readonly BenchResult[]): ChartPanel[] {
  const bar = (row: BenchResult, label: string): ChartBar | undefined =>
    row.p50_ms === null || row.p95_ms === null
      ? undefined
      : { label, p50: row.p50_ms, p95: row.p95_ms, accent: row.system.startsWith('edge-db') };
  const label = (row: BenchResult) =>
    `${row.variant === undefined ? '' : `${row.variant}: `}${row.system}${row.stale_reads ? ` (${row.stale_reads} stale)` : ''}`;
  const panels: ChartPanel[] = [];
  for (const [scenario, title] of PANELS) {
    const rows = results.filter((r) => r.scenario === scenario);
    const bars = rows.flatMap((row) => bar(row, label(row)) ?? []);
    if (bars.length > 0) panels.push({ title, bars });
  }
  return panels;
}

const PANELS: readonly (readonly [string, string])[] = [
  ['geo-read', 'geo-read: point read latency (caller 70 ms from the primary, 2 ms from a replica)'],
  ['geo-read-after-write', 'geo-read-after-write: read after a write, by replica lag'],
  ['same-region', 'same-region: every node ~1 ms away (Neon-like)'],
  ['libsql-pull', 'libsql-pull: a pulling replica 2 ms away, the primary 70 ms'],
];

function niceMax(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * magnitude) return step * magnitude;
  }
  return 10 * magnitude;
}

function ticks(max: number): number[] {
  return [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
}

function formatMs(value: number): string {
  if (value === 0) return '0';
  if (value >= 100) return `${Math.round(value)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

function fmt(n: number): string {
  return n.toFixed(1);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
