import { performance } from 'node:perf_hooks';
import { Kysely } from 'kysely';
import {
  type Backend,
  consistencyToken,
  edgeDb,
  pipelinedPostgresReplication,
  type RouteEvent,
} from '../../src/index.js';
import { regions } from '../../src/regions/index.js';
import type { BenchResult, Comparison } from '../lib/bench-result.js';
import { ratioComparison } from '../lib/comparison.js';
import { interleave } from '../lib/interleave.js';
import { round, summarize } from '../lib/percentiles.js';
import { GEO_LATENCY_MS, GEO_REGIONS, type GeoBed, type GeoDb } from '../lib/postgres-geo-bed.js';
import { latencyRow, type Scenario, type ScenarioContext } from '../lib/scenario.js';
import { replicaShare } from './geo-read.js';

export const READ_AFTER_WRITE_SYSTEMS = [
  'edge-db',
  'edge-db (pg pipeline)',
  'always-primary-after-write',
  'no consistency (near replica)',
] as const;
export const REPLICA_LAGS_MS = [0, 20, 200] as const;

type System = (typeof READ_AFTER_WRITE_SYSTEMS)[number];

/** One write-then-read: resolves the two durations and whether the read saw the write. */
type Cycle = (id: number) => Promise<{ writeMs: number; readMs: number; stale: boolean }>;

/**
 * A request inserts a row on the primary, a second request reads it back. edge-db carries the first request's
 * consistency token into the second (the edge pattern: token in a cookie or header); the baselines either read
 * from the primary after every write, or from the near replica with no consistency at all. Replica lag is set
 * with `recovery_min_apply_delay` on both standbys. A stale read is a read that does not return the row.
 */
export const geoReadAfterWrite: Scenario = {
  name: 'geo-read-after-write',
  description:
    'Insert on the primary, then read the row back from a second request, with replica lag 0/20/200 ms: edge-db with a consistency token vs always-primary-after-write vs no consistency.',
  run: async (context) => runGeoReadAfterWrite(await context.geoBed(), context),
};

async function runGeoReadAfterWrite(bed: GeoBed, context: ScenarioContext): Promise<BenchResult[]> {
  // One write-then-read cycle per system per round, interleaved: rounds pair the systems' cycles for the ratios.
  const plan = context.quick ? { warmupRounds: 1, rounds: 3 } : { warmupRounds: 4, rounds: 40 };
  const primaryDb = new Kysely<GeoDb>({ dialect: bed.dialect('primary') });
  const nearDb = new Kysely<GeoDb>({ dialect: bed.dialect('near') });
  const primary = { name: 'primary', dialect: bed.dialect('primary'), region: GEO_REGIONS.primary };
  const replicas = [
    { name: 'replica-far', dialect: bed.dialect('far'), region: GEO_REGIONS.farReplica },
    { name: 'replica-near', dialect: bed.dialect('near'), region: GEO_REGIONS.nearReplica },
  ];
  // The same cluster over node-postgres clients that pipeline, with the adapter that sends a replica's check
  // in the read's own round trip.
  const replication = pipelinedPostgresReplication;
  const pipelined = {
    primary: { ...primary, dialect: bed.pipelinedDialect('primary'), replication },
    replicas: [
      { ...replicas[0]!, dialect: bed.pipelinedDialect('far'), replication },
      { ...replicas[1]!, dialect: bed.pipelinedDialect('near'), replication },
    ],
  };
  const location = { region: GEO_REGIONS.caller };
  let servedBy = new Map<string, Map<string, number>>();
  const counter = (system: System) => (event: RouteEvent) => {
    if (!event.sql.trimStart().toLowerCase().startsWith('select')) return;
    const key = `${event.node}/${event.reason}`;
    let counts = servedBy.get(system);
    if (counts === undefined) {
      counts = new Map();
      servedBy.set(system, counts);
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  const cluster = 'bench-geo-read-after-write';
  const insert = (db: Kysely<GeoDb>, id: number) =>
    db
      .insertInto('item')
      .values({ id, name: `written ${id}` })
      .execute();
  const find = (db: Kysely<GeoDb>, id: number) =>
    db.selectFrom('item').select(['id', 'name']).where('id', '=', id).executeTakeFirst();

  /** edge-db: a request writes and mints a token, a second request reads with it. */
  const edgeCycle =
    (system: System, nodes: { primary: Backend; replicas: Backend[] }, clusterName: string): Cycle =>
    async (id) => {
      const onRoute = counter(system);
      const t0 = performance.now();
      const writer = edgeDb<GeoDb>({ ...nodes, location, regions, cluster: clusterName, onRoute });
      await insert(writer, id);
      const token = await consistencyToken(writer);
      const t1 = performance.now();
      const reader = edgeDb<GeoDb>({
        ...nodes,
        location,
        regions,
        cluster: clusterName,
        onRoute,
        consistency: { token },
      });
      const row = await find(reader, id);
      return { writeMs: t1 - t0, readMs: performance.now() - t1, stale: row === undefined };
    };

  const cycles: Record<System, Cycle> = {
    'edge-db': edgeCycle('edge-db', { primary, replicas }, cluster),
    'edge-db (pg pipeline)': edgeCycle(
      'edge-db (pg pipeline)',
      pipelined,
      'bench-geo-read-after-write-pipeline',
    ),
    'always-primary-after-write': async (id) => {
      const t0 = performance.now();
      await insert(primaryDb, id);
      const t1 = performance.now();
      const row = await find(primaryDb, id);
      return { writeMs: t1 - t0, readMs: performance.now() - t1, stale: row === undefined };
    },
    'no consistency (near replica)': async (id) => {
      const t0 = performance.now();
      await insert(primaryDb, id);
      const t1 = performance.now();
      const row = await find(nearDb, id);
      return { writeMs: t1 - t0, readMs: performance.now() - t1, stale: row === undefined };
    },
  };

  const results: BenchResult[] = [];
  let nextId = 1_000_000;
  const primaryRtt = 2 * GEO_LATENCY_MS.primary;
  for (const lag of REPLICA_LAGS_MS) {
    await Promise.all(bed.cluster.replicas.map((replica) => replica.setApplyDelay(lag)));
    context.log(`geo-read-after-write: lag ${lag} ms, ${plan.rounds} interleaved rounds`);
    servedBy = new Map();
    const measured = new Map(
      READ_AFTER_WRITE_SYSTEMS.map((system) => [
        system,
        { reads: [] as number[], writes: [] as number[], stale: 0 },
      ]),
    );
    await interleave(
      READ_AFTER_WRITE_SYSTEMS.map((system) => ({
        name: system,
        run: async ({ warmup }) => {
          const outcome = await cycles[system](nextId++);
          if (warmup) return;
          const into = measured.get(system)!;
          into.reads.push(outcome.readMs);
          into.writes.push(outcome.writeMs);
          if (outcome.stale) into.stale++;
        },
      })),
      plan,
    );
    const always = measured.get('always-primary-after-write')!;
    const loose = measured.get('no consistency (near replica)')!;
    for (const system of READ_AFTER_WRITE_SYSTEMS) {
      const { reads, writes, stale } = measured.get(system)!;
      const writeSummary = summarize(writes);
      let notes =
        `replica lag ${lag} ms (recovery_min_apply_delay), primary RTT ${primaryRtt} ms; ${plan.rounds} interleaved rounds of one write-then-read cycle per system; ` +
        `p50/p95/p99 are of the read after the write; write p50 ${round(writeSummary.p50_ms, 1)} ms${system.startsWith('edge-db') ? ' (includes what the token needs)' : ''}`;
      const comparisons: Comparison[] = [];
      const edge = measured.get(system)!;
      const served = servedBy.get(system) ?? new Map<string, number>();
      if (system.startsWith('edge-db')) {
        const described = [...served].map(([key, count]) => `${key} ${count}`).join(', ');
        notes += `; reads served by (node/reason, warm-up included): ${described}`;
        comparisons.push(
          ratioComparison('write vs plain Kysely write', edge.writes, always.writes),
          ratioComparison('read vs near-replica read', edge.reads, loose.reads),
          ratioComparison('read vs always-primary read', edge.reads, always.reads),
          ratioComparison(
            'write + read vs always-primary',
            edge.writes.map((w, k) => w + edge.reads[k]!),
            always.writes.map((w, k) => w + always.reads[k]!),
          ),
        );
      }
      results.push(
        latencyRow(
          {
            scenario: 'geo-read-after-write',
            system,
            variant: `lag ${lag} ms`,
            topology: 'cross-region postgres',
            stale_reads: stale,
            values: {
              lag_ms: lag,
              ...(system.startsWith('edge-db') ? { replica_read_share: replicaShare(served) } : {}),
              write_p50_ms: round(writeSummary.p50_ms, 3),
              write_plus_read_p50_ms: round(summarize(writes.map((w, k) => w + reads[k]!)).p50_ms, 3),
            },
            ...(comparisons.length === 0 ? {} : { comparisons }),
            notes,
          },
          summarize(reads),
        ),
      );
    }
  }
  await Promise.all(bed.cluster.replicas.map((replica) => replica.setApplyDelay(0)));
  return results;
}
