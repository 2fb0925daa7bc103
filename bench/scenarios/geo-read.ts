import { Kysely } from 'kysely';
import { KyselyReplicationDialect } from 'kysely-replication';
import { RandomReplicaStrategy } from 'kysely-replication/strategy/random';
import { RoundRobinReplicaStrategy } from 'kysely-replication/strategy/round-robin';
import { edgeDb, type RouteEvent } from '../../src/index.js';
import { regions } from '../../src/regions/index.js';
import type { BenchResult, Comparison } from '../lib/bench-result.js';
import { ratioComparison } from '../lib/comparison.js';
import { interleave, TimedArm } from '../lib/interleave.js';
import { summarize } from '../lib/percentiles.js';
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
  const perRound = context.quick ? 3 : 5;
  const plan = context.quick ? { warmupRounds: 1, rounds: 5 } : { warmupRounds: 4, rounds: 40 };
  // Which node served each edge-db read, split into warm-up and measured rounds.
  let counts: Map<string, number> | undefined;
  const onRoute = (event: RouteEvent): void => {
    if (counts !== undefined) counts.set(event.node, (counts.get(event.node) ?? 0) + 1);
  };
  const served = new Map<string, { warmup: Map<string, number>; measured: Map<string, number> }>();
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
    regions,
  };
  const kysely = (node: 'near' | 'primary') => {
    const db = new Kysely<GeoDb>({ dialect: bed.dialect(node) });
    return (i: number) => readById(db, i);
  };
  const replication = (replicaStrategy: RandomReplicaStrategy | RoundRobinReplicaStrategy) => {
    const db = new Kysely<GeoDb>({
      dialect: new KyselyReplicationDialect({
        primaryDialect: bed.dialect('primary'),
        replicaDialects: [bed.dialect('far'), bed.dialect('near')],
        replicaStrategy,
      }),
    });
    return (i: number) => readById(db, i);
  };

  const systems: Record<(typeof GEO_READ_SYSTEMS)[number], (i: number) => Promise<unknown>> = {
    'kysely (near replica only)': kysely('near'),
    // One instance per read, as an edge function builds one per request; isolate state carries what it learned.
    'edge-db': (i) => readById(edgeDb<GeoDb>({ ...located, cluster: 'bench-geo-read-located', onRoute }), i),
    // Same without regions: edge-db has only its latency measurements to go by.
    'edge-db (no region hints)': (i) =>
      readById(edgeDb<GeoDb>({ primary, replicas, cluster: 'bench-geo-read-unlocated', onRoute }), i),
    'kysely (primary only)': kysely('primary'),
    'kysely-replication (random)': replication(new RandomReplicaStrategy()),
    'kysely-replication (round-robin)': replication(new RoundRobinReplicaStrategy()),
  };

  const arms = GEO_READ_SYSTEMS.map((name) => {
    const timed = new TimedArm(name, async (i) => void (await systems[name](i)), { perRound });
    const split = { warmup: new Map<string, number>(), measured: new Map<string, number>() };
    served.set(name, split);
    return {
      name,
      timed,
      run: async (round: { round: number; warmup: boolean }) => {
        counts = round.warmup ? split.warmup : split.measured;
        try {
          await timed.run(round);
        } finally {
          counts = undefined;
        }
      },
    };
  });
  context.log(`geo-read: ${plan.rounds} interleaved rounds of ${perRound} reads per system`);
  await interleave(arms, plan);

  const near = arms.find((a) => a.name === 'kysely (near replica only)')!.timed;
  const primaryOnly = arms.find((a) => a.name === 'kysely (primary only)')!.timed;
  const describe = (c: Map<string, number>) =>
    [...c].map(([node, count]) => `${node} ${count}`).join(', ') || 'none';
  const latencies = `one-way delays: primary ${GEO_LATENCY_MS.primary} ms, near replica ${GEO_LATENCY_MS.nearReplica} ms, far replica ${GEO_LATENCY_MS.farReplica} ms`;

  return arms.map(({ name, timed }) => {
    const comparisons: Comparison[] = [];
    if (timed !== near) comparisons.push(ratioComparison('vs near replica', timed.rounds, near.rounds));
    if (timed !== primaryOnly)
      comparisons.push(ratioComparison('primary-only vs this', primaryOnly.rounds, timed.rounds));
    let notes = `${latencies}; ${plan.rounds} interleaved rounds of ${perRound} reads (${plan.warmupRounds} warm-up rounds)`;
    if (name === 'kysely (near replica only)')
      notes += '; the near replica round trip the targets compare against';
    if (name === 'edge-db')
      notes += `; regions: caller ${GEO_REGIONS.caller}, near replica ${GEO_REGIONS.nearReplica}, far replica ${GEO_REGIONS.farReplica}, primary ${GEO_REGIONS.primary}`;
    if (name.startsWith('edge-db')) {
      const split = served.get(name)!;
      notes += `; warm-up served by: ${describe(split.warmup)}; measured reads served by: ${describe(split.measured)}`;
    }
    const measured = served.get(name)?.measured;
    const values =
      measured === undefined || measured.size === 0
        ? undefined
        : { replica_read_share: replicaShare(measured) };
    return latencyRow(
      {
        scenario: 'geo-read',
        system: name,
        topology: 'cross-region postgres',
        ...(values === undefined ? {} : { values }),
        comparisons,
        notes,
      },
      summarize(timed.samples),
    );
  });
}

/** Share of the counted reads served by a node named `replica-*`, rounded to 0.1%. */
export function replicaShare(counts: ReadonlyMap<string, number>): number {
  let replica = 0;
  let total = 0;
  for (const [key, count] of counts) {
    total += count;
    if (key.startsWith('replica')) replica += count;
  }
  return total === 0 ? 0 : Math.round((replica / total) * 1000) / 1000;
}
