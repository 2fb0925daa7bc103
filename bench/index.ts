/**
 * `npm run bench`: measures edge-db against its peers on local clusters with simulated regions and writes
 * `bench/results/latest.json` plus docs/benchmarks.md and docs/benchmarks.svg.
 *
 * `npm run bench -- --quick` (CI) runs fewer iterations, writes `bench/results/quick.json` and leaves the docs
 * alone, so the committed full results are never replaced by a quick run. See docs/benchmarks.md.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchOptions } from './lib/bench-options.js';
import type { BenchReport, BenchResult } from './lib/bench-result.js';
import { machineInfo } from './lib/machine-info.js';
import { type GeoBed, startGeoBed } from './lib/postgres-geo-bed.js';
import type { Scenario, ScenarioContext } from './lib/scenario.js';
import { computeTargets } from './lib/targets.js';
import { writeBenchmarkDocs } from './lib/write-benchmark-docs.js';
import { bundle } from './scenarios/bundle.js';
import { cacheHit } from './scenarios/cache-hit.js';
import { geoRead } from './scenarios/geo-read.js';
import { geoReadAfterWrite } from './scenarios/geo-read-after-write.js';
import { libsqlPull } from './scenarios/libsql-pull.js';
import { positionCost } from './scenarios/position-cost.js';
import { routerOverhead } from './scenarios/router-overhead.js';
import { sameRegion } from './scenarios/same-region.js';
import { sustainedLoad } from './scenarios/sustained-load.js';

const SCENARIOS: readonly Scenario[] = [
  routerOverhead,
  cacheHit,
  geoRead,
  geoReadAfterWrite,
  positionCost,
  sameRegion,
  sustainedLoad,
  libsqlPull,
  bundle,
];
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const MACHINE_NOTES =
  'All servers on 127.0.0.1; distance is simulated by user-space TCP relays that delay every chunk by the ' +
  'one-way latency (kernel netem is not available). PostgreSQL 15 primary + 2 streaming hot standbys ' +
  '(fsync off), node-postgres pools through Kysely PostgresDialect; a local libSQL cluster (real engine, ' +
  'replicas pulling WAL frames) for libsql-pull. Numbers are wall-clock latency of one operation at a time, ' +
  'except sustained-load (concurrent sessions). The machine may be shared with other work (CI, other test ' +
  'suites): every comparison runs its arms interleaved in one run, and ratios are medians of per-round ratios.';

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  const out = options.out ?? join(ROOT, 'bench', 'results', options.quick ? 'quick.json' : 'latest.json');
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

  if (options.renderOnly) {
    const report = JSON.parse(await readFile(out, 'utf8')) as BenchReport;
    await writeBenchmarkDocs(ROOT, report, SCENARIOS);
    log(`docs regenerated from ${out}`);
    return 0;
  }

  const unknown = options.only.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new TypeError(
      `edge-db bench: unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  }
  const selected = SCENARIOS.filter((s) => options.only.length === 0 || options.only.includes(s.name));

  let bed: Promise<GeoBed> | undefined;
  const context: ScenarioContext = {
    quick: options.quick,
    log,
    geoBed: () => {
      bed ??= startGeoBed(log);
      return bed;
    },
  };

  const started = Date.now();
  const results: BenchResult[] = [];
  const scenarioWall: Record<string, number> = {};
  let failures = 0;
  try {
    for (const scenario of selected) {
      const t0 = Date.now();
      log(`scenario ${scenario.name}`);
      try {
        results.push(...(await scenario.run(context)));
      } catch (error) {
        failures++;
        log(
          `scenario ${scenario.name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        results.push({
          scenario: scenario.name,
          system: 'all',
          p50_ms: null,
          p95_ms: null,
          p99_ms: null,
          ops: 0,
          status: 'failed',
          notes: `failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500),
        });
      }
      scenarioWall[scenario.name] = Math.round((Date.now() - t0) / 100) / 10;
      // RSS after each scenario: memory a scenario leaves behind shows up here, not only in sustained-load.
      const rssMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
      log(`scenario ${scenario.name} took ${scenarioWall[scenario.name]} s (process RSS ${rssMiB} MiB)`);
    }
  } finally {
    if (bed !== undefined) {
      await bed
        .then((each) => each.stop())
        .catch((error: unknown) => log(`stopping the geo bed failed: ${String(error)}`));
    }
  }

  const report: BenchReport = {
    machine: {
      ...machineInfo(options.quick ? 'quick' : 'full', MACHINE_NOTES),
      wall_s: Math.round((Date.now() - started) / 100) / 10,
      scenario_wall_s: scenarioWall,
    },
    targets: computeTargets(results),
    results,
  };
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  log(`wrote ${out} (${results.length} rows) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  if (options.docs ?? (!options.quick && options.only.length === 0)) {
    await writeBenchmarkDocs(ROOT, report, SCENARIOS);
    log('regenerated docs/benchmarks.md and docs/benchmarks.svg');
  }
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
