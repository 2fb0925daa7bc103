import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchReport } from './bench-result.js';
import { renderMarkdown } from './render-markdown.js';
import { chartPanels, renderSvg } from './render-svg.js';
import type { Scenario } from './scenario.js';

/** Writes docs/benchmarks.md and docs/benchmarks.svg under `root` from `report`. */
export async function writeBenchmarkDocs(
  root: string,
  report: BenchReport,
  scenarios: readonly Scenario[],
): Promise<void> {
  await writeFile(join(root, 'docs', 'benchmarks.svg'), renderSvg(chartPanels(report.results)));
  await writeFile(join(root, 'docs', 'benchmarks.md'), renderMarkdown(report, scenarios, 'benchmarks.svg'));
}
