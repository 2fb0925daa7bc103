import { Kysely } from 'kysely';
import { type EdgeDbConfig, edgeDb, route } from '../../src/index.js';
import type { RouteEvent } from '../../src/router/observe/route-event.js';
import type { BenchResult } from '../lib/bench-result.js';
import { inProcessDialect } from '../lib/in-process-dialect.js';
import { measureBatched } from '../lib/measure.js';
import { round, summarize } from '../lib/percentiles.js';
import { latencyRow, type Scenario, type ScenarioContext } from '../lib/scenario.js';

interface BenchDb {
  item: { id: number; name: string };
}

/** The cache settings the lead is adding to `EdgeDbConfig`; typed here so this file compiles before and after. */
type CacheConfig = {
  readonly cache?: { readonly ttlMs?: number; readonly swrMs?: number; readonly maxBytes?: number };
};

const ROWS = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, name: `item ${i + 1}` }));

const query = (db: Kysely<BenchDb>) =>
  db.selectFrom('item').select(['id', 'name']).where('id', '<=', 10).orderBy('id');

/**
 * What a cached read costs next to what plain Kysely spends compiling the same query (and running it against a
 * backend that answers instantly). Only meaningful when edge-db's cache really answers: the scenario first checks
 * that a second identical read is reported as a cache hit, and reports itself `pending` otherwise.
 */
export const cacheHit: Scenario = {
  name: 'cache-hit',
  description:
    'A cached 10-row read through edge-db (`route(db, { cache: true })`) vs plain Kysely compiling the query, and vs compiling and running it on an in-process backend.',
  async run(context: ScenarioContext): Promise<BenchResult[]> {
    const plan = context.quick
      ? { warmup: 5, iterations: 20, batchSize: 200 }
      : { warmup: 20, iterations: 100, batchSize: 500 };
    const stub = inProcessDialect(ROWS);
    const kysely = new Kysely<BenchDb>({ dialect: stub });
    let lastEvent: RouteEvent | undefined;
    const config: EdgeDbConfig & CacheConfig = {
      primary: { name: 'primary', dialect: stub },
      replicas: [{ name: 'replica', dialect: stub }],
      cluster: 'bench-cache-hit',
      // The stub backend reports no replication positions; with `session` consistency a session that has read
      // at an unknown position bypasses the cache (monotonic reads). The cost of a hit is what is measured here.
      consistency: 'eventual',
      cache: { ttlMs: 3_600_000, maxBytes: 8 * 1024 * 1024 },
      onRoute: (event) => {
        lastEvent = event;
      },
    };
    const cached = route(edgeDb<BenchDb>(config), { cache: true });
    try {
      await query(cached).execute();
      await query(cached).execute();
      if (lastEvent?.cache !== 'hit') {
        context.log(`cache-hit: pending (second identical read reported cache=${String(lastEvent?.cache)})`);
        return [
          {
            scenario: 'cache-hit',
            system: 'edge-db (cache hit)',
            p50_ms: null,
            p95_ms: null,
            p99_ms: null,
            ops: 0,
            status: 'pending',
            notes:
              `pending: a second identical read with route(db, { cache: true }) was not a hit ` +
              `(cache=${String(lastEvent?.cache)}, reason=${String(lastEvent?.cacheReason)}, node=${String(lastEvent?.node)}); no numbers are reported until it is`,
          },
        ];
      }

      context.log('cache-hit: measuring');
      const systems: { name: string; op: () => Promise<void> }[] = [
        { name: 'kysely (compile only)', op: async () => void query(kysely).compile() },
        {
          name: 'kysely (compile + in-process execute)',
          op: async () => void (await query(kysely).execute()),
        },
        { name: 'edge-db (cache hit)', op: async () => void (await query(cached).execute()) },
        {
          name: 'edge-db (cache hit, instance per query)',
          op: async () => void (await query(route(edgeDb<BenchDb>(config), { cache: true })).execute()),
        },
      ];
      const samples = new Map<string, number[]>(systems.map((s) => [s.name, []]));
      const rounds = 5;
      for (let r = 0; r < rounds; r++) {
        for (const system of systems) {
          const batch = await measureBatched(
            {
              warmup: r === 0 ? plan.warmup : 0,
              iterations: Math.ceil(plan.iterations / rounds),
              batchSize: plan.batchSize,
            },
            system.op,
          );
          samples.get(system.name)!.push(...batch);
        }
      }
      if (lastEvent?.cache !== 'hit')
        throw new Error(
          `edge-db's last measured read was not a cache hit (cache=${String(lastEvent?.cache)})`,
        );
      const compile = summarize(samples.get('kysely (compile only)')!);
      return systems.map((system) => {
        const summary = summarize(samples.get(system.name)!);
        return latencyRow(
          {
            scenario: 'cache-hit',
            system: system.name,
            values: {
              ops_per_s: Math.round(1000 / summary.mean_ms),
              ratio_vs_compile_p50: round(summary.p50_ms / compile.p50_ms, 2),
            },
            notes: `10-row result; samples are means of batches of ${plan.batchSize} sequential reads; ops counts reads`,
          },
          { ...summary, ops: summary.ops * plan.batchSize },
        );
      });
    } finally {
      await kysely.destroy();
    }
  },
};
