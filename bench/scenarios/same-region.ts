import { Kysely } from 'kysely';
import { consistencyToken, edgeDb } from '../../src/index.js';
import type { BenchResult, Comparison } from '../lib/bench-result.js';
import { ratioComparison } from '../lib/comparison.js';
import { interleave, TimedArm } from '../lib/interleave.js';
import { round, summarize } from '../lib/percentiles.js';
import { GEO_LATENCY_MS, type GeoDb } from '../lib/postgres-geo-bed.js';
import { RouteCounter } from '../lib/route-counter.js';
import { latencyRow, type Scenario, type ScenarioContext } from '../lib/scenario.js';
import { WriteReadArm } from '../lib/write-read-arm.js';

/** One-way delay of every node: a primary and replicas in the caller's region (Neon read replicas). */
export const SAME_REGION_LATENCY_MS = 0.5;

const readById = (db: Kysely<GeoDb>, i: number) =>
  db
    .selectFrom('item')
    .select(['id', 'name'])
    .where('id', '=', (Math.abs(i) % 100) + 1)
    .executeTakeFirstOrThrow();

/**
 * Neon-shaped topology: the primary and two replicas all about 1 ms from the caller, where edge-db's value is
 * offload (reads leave the primary) and read-your-writes, not distance. Measured on the geo bed's servers with
 * every relay set to the same small delay, then restored.
 */
export const sameRegion: Scenario = {
  name: 'same-region',
  description: `Primary and 2 replicas all in the caller's region (${SAME_REGION_LATENCY_MS} ms one way, node-postgres): share of edge-db's reads offloaded to replicas, read cost vs plain Kysely on a replica or the primary, and the cost of read-your-writes (write + read with a token) vs plain Kysely; interleaved.`,
  async run(context: ScenarioContext): Promise<BenchResult[]> {
    const bed = await context.geoBed();
    const plan = context.quick ? { warmupRounds: 1, rounds: 5 } : { warmupRounds: 5, rounds: 60 };
    const perRound = 5;
    bed.setLatencies({
      primary: SAME_REGION_LATENCY_MS,
      nearReplica: SAME_REGION_LATENCY_MS,
      farReplica: SAME_REGION_LATENCY_MS,
    });
    try {
      const primary = { name: 'primary', dialect: bed.dialect('primary') };
      const replicas = [
        { name: 'replica-1', dialect: bed.dialect('near') },
        { name: 'replica-2', dialect: bed.dialect('far') },
      ];
      const cluster = 'bench-same-region';
      const reads = new RouteCounter();
      const afterWrite = new RouteCounter();
      const onPrimary = new Kysely<GeoDb>({ dialect: bed.dialect('primary') });
      const onReplica = new Kysely<GeoDb>({ dialect: bed.dialect('near') });
      const readArms = [
        new TimedArm('kysely (replica only)', async (i) => void (await readById(onReplica, i)), { perRound }),
        new TimedArm('kysely (primary only)', async (i) => void (await readById(onPrimary, i)), { perRound }),
        new TimedArm(
          'edge-db',
          async (i) =>
            void (await readById(edgeDb<GeoDb>({ primary, replicas, cluster, onRoute: reads.onRoute }), i)),
          { perRound },
        ),
      ];
      let nextId = 3_000_000;
      const next = () => nextId++;
      const find = (db: Kysely<GeoDb>, id: number) =>
        db.selectFrom('item').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
      const insert = (db: Kysely<GeoDb>, id: number) =>
        db
          .insertInto('item')
          .values({ id, name: `same-region ${id}` })
          .execute();
      const edgeCycle = new WriteReadArm(
        'edge-db write + read (token)',
        {
          write: async (id) => {
            const writer = edgeDb<GeoDb>({ primary, replicas, cluster });
            await insert(writer, id);
            return consistencyToken(writer);
          },
          read: async (id, token) => {
            const reader = edgeDb<GeoDb>({
              primary,
              replicas,
              cluster,
              onRoute: afterWrite.onRoute,
              consistency: { token: token as string | null },
            });
            return (await find(reader, id)) !== undefined;
          },
        },
        next,
      );
      const plainCycle = new WriteReadArm(
        'kysely write + read (primary)',
        {
          write: (id) => insert(onPrimary, id),
          read: async (id) => (await find(onPrimary, id)) !== undefined,
        },
        next,
      );
      const replicaCycle = new WriteReadArm(
        'kysely write (primary) + read (replica)',
        {
          write: (id) => insert(onPrimary, id),
          read: async (id) => (await find(onReplica, id)) !== undefined,
        },
        next,
      );
      const cycles = [edgeCycle, plainCycle, replicaCycle];
      const arms = [...readArms, ...cycles];
      context.log(`same-region: ${plan.rounds} interleaved rounds`);
      await interleave(
        arms.map((arm) => ({
          name: arm.name,
          run: async (r) => {
            reads.enabled = afterWrite.enabled = !r.warmup;
            await arm.run(r);
          },
        })),
        plan,
      );

      const [replicaOnly, primaryOnly, edgeRead] = readArms as [TimedArm, TimedArm, TimedArm];
      const topology = 'same-region postgres';
      const delay = `every node ${SAME_REGION_LATENCY_MS} ms one way (Node timers round the relay delay up to 1 ms)`;
      const rows: BenchResult[] = readArms.map((arm) => {
        const comparisons: Comparison[] =
          arm === edgeRead
            ? [
                ratioComparison('vs replica read', arm.rounds, replicaOnly.rounds),
                ratioComparison('vs primary read', arm.rounds, primaryOnly.rounds),
              ]
            : [];
        return latencyRow(
          {
            scenario: 'same-region',
            system: arm.name,
            variant: 'read',
            topology,
            ...(arm === edgeRead ? { values: { replica_read_share: round(reads.share('replica'), 3) } } : {}),
            ...(comparisons.length === 0 ? {} : { comparisons }),
            notes:
              `${delay}; ${plan.rounds} interleaved rounds of ${perRound} point reads` +
              (arm === edgeRead ? `; one instance per read, no token; served by: ${reads.describe()}` : ''),
          },
          summarize(arm.samples),
        );
      });
      for (const cycle of cycles) {
        const comparisons: Comparison[] =
          cycle === edgeCycle
            ? [
                ratioComparison('write vs plain Kysely write', cycle.writes, plainCycle.writes),
                ratioComparison('read vs replica read after write', cycle.reads, replicaCycle.reads),
                ratioComparison('read vs primary read after write', cycle.reads, plainCycle.reads),
                ratioComparison('write + read vs kysely on the primary', cycle.totals, plainCycle.totals),
              ]
            : [];
        rows.push(
          latencyRow(
            {
              scenario: 'same-region',
              system: cycle.name,
              variant: 'read after write',
              topology,
              stale_reads: cycle.stale,
              values: {
                write_p50_ms: round(summarize(cycle.writes).p50_ms, 3),
                ...(cycle === edgeCycle ? { replica_read_share: round(afterWrite.share('replica'), 3) } : {}),
              },
              ...(comparisons.length === 0 ? {} : { comparisons }),
              notes:
                `${delay}; ${plan.rounds} interleaved rounds of one write-then-read cycle; p50/p95/p99 are of the read` +
                (cycle === edgeCycle ? `; reads served by: ${afterWrite.describe()}` : ''),
            },
            summarize(cycle.reads),
          ),
        );
      }
      return rows;
    } finally {
      bed.setLatencies(GEO_LATENCY_MS);
    }
  },
};
