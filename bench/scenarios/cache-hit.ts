import { Kysely } from 'kysely';
import type { EdgeDbConfig, RouteEvent } from '../../src/index.js';
import type { BenchResult } from '../lib/bench-result.js';
import { builtEdgeDb } from '../lib/built-edge-db.js';
import { ratioComparison } from '../lib/comparison.js';
import { inProcessDialect } from '../lib/in-process-dialect.js';
import { interleave, TimedArm } from '../lib/interleave.js';
import { summarize } from '../lib/percentiles.js';
import { latencyRow, type Scenario, type ScenarioContext } from '../lib/scenario.js';

interface BenchDb {
  item: { id: number; name: string };
}

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
      ? { warmupRounds: 3, rounds: 15, batchSize: 200 }
      : { warmupRounds: 5, rounds: 80, batchSize: 500 };
    // edge-db as the package builds it (see builtEdgeDb), Kysely from node_modules.
    const { core, cache } = await builtEdgeDb();
    const { edgeDb, route } = core;
    const { isolateCache } = cache;
    const stub = inProcessDialect(ROWS);
    const kysely = new Kysely<BenchDb>({ dialect: stub });
    let lastEvent: RouteEvent | undefined;
    const config: EdgeDbConfig = {
      primary: { name: 'primary', dialect: stub },
      replicas: [{ name: 'replica', dialect: stub }],
      cluster: 'bench-cache-hit',
      // The stub backend reports no replication positions; with `session` consistency a session that has read
      // at an unknown position bypasses the cache (monotonic reads). The cost of a hit is what is measured here.
      consistency: 'eventual',
      cache: isolateCache({ ttlMs: 3_600_000, maxBytes: 8 * 1024 * 1024 }),
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
      const options = { perRound: 1, batchSize: plan.batchSize };
      const arms = [
        new TimedArm('kysely (compile only)', async () => void query(kysely).compile(), options),
        new TimedArm(
          'kysely (compile + in-process execute)',
          async () => void (await query(kysely).execute()),
          options,
        ),
        new TimedArm('edge-db (cache hit)', async () => void (await query(cached).execute()), options),
        new TimedArm(
          'edge-db (cache hit, instance per query)',
          async () => void (await query(route(edgeDb<BenchDb>(config), { cache: true })).execute()),
          options,
        ),
      ];
      await interleave(arms, plan);
      if (lastEvent?.cache !== 'hit')
        throw new Error(
          `edge-db's last measured read was not a cache hit (cache=${String(lastEvent?.cache)})`,
        );
      const [compile] = arms;
      return arms.map((arm) => {
        const summary = summarize(arm.samples);
        return latencyRow(
          {
            scenario: 'cache-hit',
            system: arm.name,
            values: { ops_per_s: Math.round(1000 / summary.mean_ms) },
            ...(arm === compile
              ? {}
              : { comparisons: [ratioComparison('vs kysely compile', arm.rounds, compile!.rounds)] }),
            notes: `10-row result; ${plan.rounds} interleaved rounds, one batch of ${plan.batchSize} sequential reads per system per round; samples are batch means; ops counts reads`,
          },
          { ...summary, ops: summary.ops * plan.batchSize },
        );
      });
    } finally {
      await kysely.destroy();
    }
  },
};
