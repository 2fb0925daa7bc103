import { Kysely } from 'kysely';
import { KyselyReplicationDialect } from 'kysely-replication';
import { RandomReplicaStrategy } from 'kysely-replication/strategy/random';
import { RoundRobinReplicaStrategy } from 'kysely-replication/strategy/round-robin';
import { edgeDb } from '../../src/index.js';
import type { RouteEvent } from '../../src/router/observe/route-event.js';
import type { BenchResult } from '../lib/bench-result.js';
import { measureSequential } from '../lib/measure.js';
import { round, summarize } from '../lib/percentiles.js';
import { GEO_LATENCY_MS, GEO_REGIONS, type GeoBed, type GeoDb } from '../lib/postgres-geo-bed.js';
import { latencyRow, type Scenario, type ScenarioContext } from '../lib/scenario.js';

/** Names of the systems in the results, shared with the docs renderer's ordering. */
export const GEO_READ_SYSTEMS = [
  'kysely (near replica only)',
  'edge-db',
  'edge-db (no region hints)',
  'kysely (primary only)',
  'kysely-replication (random)',
  'kysely-replication (round-robin)',
] as const;

const readById = (db: Kysely<GeoDb>, i: number) =>
  db
    .selectFrom('item')
    .select(['id', 'name'])
    .where('id', '=', (Math.abs(i) % 100) + 1)
    .executeTakeFirstOrThrow();

/**
 * The caller sits far from the primary (70 ms one way) with a near replica (2 ms) and a far one (40 ms). Every
 * system runs the same point read, one at a time, over Kysely's `PostgresDialect` on shared node-postgres pools.
 * edge-db gets its replicas with the far one listed first and no region hints, so it must find the near one by
 * measuring, not by configuration order.
 */
export const geoRead: Scenario = {
  name: 'geo-read',
  description:
    'Point reads from a caller 70 ms (one way) from the primary, 2 ms from one replica and 40 ms from another: edge-db vs primary-only Kysely vs kysely-replication.',
  run: async (context) => runGeoRead(await context.geoBed(), context),
};

async function runGeoRead(bed: GeoBed, context: ScenarioContext): Promise<BenchResult[]> {
  const plan = context.quick ? { warmup: 10, iterations: 30 } : { warmup: 20, iterations: 200 };
  let served = new Map<string, number>();
  let phase: 'warmup' | 'measure' = 'warmup';
  let warmupServed = new Map<string, number>();
  const servedBySystem = new Map<string, { warmup: Map<string, number>; measured: Map<string, number> }>();
  const onRoute = (event: RouteEvent): void => {
    const counts = phase === 'warmup' ? warmupServed : served;
    counts.set(event.node, (counts.get(event.node) ?? 0) + 1);
  };
  const primary = { name: 'primary', dialect: bed.dialect('primary') };
  const replicas = [
    { name: 'replica-far', dialect: bed.dialect('far') },
    { name: 'replica-near', dialect: bed.dialect('near') },
  ];
  // As documented: every backend has a region and the caller's location is known (on Workers: from request.cf).
  const located = {
    primary: { ...primary, region: GEO_REGIONS.primary },
    replicas: [
      { ...replicas[0]!, region: GEO_REGIONS.farReplica },
      { ...replicas[1]!, region: GEO_REGIONS.nearReplica },
    ],
    location: { region: GEO_REGIONS.caller },
  };

  const systems: Record<(typeof GEO_READ_SYSTEMS)[number], (i: number) => Promise<unknown>> = {
    'kysely (near replica only)': (
      (db) => (i) =>
        readById(db, i)
    )(new Kysely<GeoDb>({ dialect: bed.dialect('near') })),
    // One instance per read, as an edge function builds one per request; isolate state carries what it learned.
    'edge-db': (i) => readById(edgeDb<GeoDb>({ ...located, cluster: 'bench-geo-read-located', onRoute }), i),
    // Same without regions: edge-db has only its latency measurements to go by.
    'edge-db (no region hints)': (i) =>
      readById(edgeDb<GeoDb>({ primary, replicas, cluster: 'bench-geo-read-unlocated', onRoute }), i),
    'kysely (primary only)': (
      (db) => (i) =>
        readById(db, i)
    )(new Kysely<GeoDb>({ dialect: bed.dialect('primary') })),
    'kysely-replication (random)': (
      (db) => (i) =>
        readById(db, i)
    )(
      new Kysely<GeoDb>({
        dialect: new KyselyReplicationDialect({
          primaryDialect: bed.dialect('primary'),
          replicaDialects: [bed.dialect('far'), bed.dialect('near')],
          replicaStrategy: new RandomReplicaStrategy(),
        }),
      }),
    ),
    'kysely-replication (round-robin)': (
      (db) => (i) =>
        readById(db, i)
    )(
      new Kysely<GeoDb>({
        dialect: new KyselyReplicationDialect({
          primaryDialect: bed.dialect('primary'),
          replicaDialects: [bed.dialect('far'), bed.dialect('near')],
          replicaStrategy: new RoundRobinReplicaStrategy(),
        }),
      }),
    ),
  };

  const summaries = new Map<string, ReturnType<typeof summarize>>();
  for (const name of GEO_READ_SYSTEMS) {
    context.log(`geo-read: ${name}`);
    const read = systems[name];
    let measured = false;
    phase = 'warmup';
    served = new Map();
    warmupServed = new Map();
    servedBySystem.set(name, { warmup: warmupServed, measured: served });
    const samples = await measureSequential(plan, async (i) => {
      if (i >= 0 && !measured) {
        measured = true;
        phase = 'measure';
      }
      await read(i);
    });
    summaries.set(name, summarize(samples));
  }

  const nearRtt = summaries.get('kysely (near replica only)')!;
  const primaryOnly = summaries.get('kysely (primary only)')!;
  const describe = (counts: Map<string, number>) =>
    [...counts].map(([node, count]) => `${node} ${count}`).join(', ') || 'none';
  const latencies = `one-way delays: primary ${GEO_LATENCY_MS.primary} ms, near replica ${GEO_LATENCY_MS.nearReplica} ms, far replica ${GEO_LATENCY_MS.farReplica} ms`;

  return GEO_READ_SYSTEMS.map((name) => {
    const summary = summaries.get(name)!;
    const values: Record<string, number> = {
      vs_near_rtt_p50: round(summary.p50_ms / nearRtt.p50_ms, 2),
      speedup_vs_primary_p50: round(primaryOnly.p50_ms / summary.p50_ms, 2),
    };
    let notes = `${latencies}; ${plan.warmup} warm-up reads`;
    if (name === 'kysely (near replica only)')
      notes += '; the near replica round trip the acceptance compares against';
    if (name === 'edge-db')
      notes += `; regions: caller ${GEO_REGIONS.caller}, near replica ${GEO_REGIONS.nearReplica}, far replica ${GEO_REGIONS.farReplica}, primary ${GEO_REGIONS.primary}`;
    if (name.startsWith('edge-db')) {
      const edge = summary;
      const withinTarget = edge.p50_ms <= nearRtt.p50_ms * 1.2;
      const fastEnough = primaryOnly.p50_ms >= edge.p50_ms * 5;
      notes +=
        `; warm-up served by: ${describe(servedBySystem.get(name)!.warmup)}; measured reads served by: ${describe(servedBySystem.get(name)!.measured)}` +
        `; target p50 <= 1.2x near RTT: ${withinTarget ? 'met' : 'MISSED'}; target >= 5x faster than primary-only: ${fastEnough ? 'met' : 'MISSED'}`;
    }
    return latencyRow({ scenario: 'geo-read', system: name, values, notes }, summary);
  });
}
