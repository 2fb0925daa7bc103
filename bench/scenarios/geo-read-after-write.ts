import { performance } from 'node:perf_hooks';
import { Kysely } from 'kysely';
import { consistencyToken, edgeDb } from '../../src/index.js';
import type { RouteEvent } from '../../src/router/observe/route-event.js';
import type { BenchResult } from '../lib/bench-result.js';
import { round, summarize } from '../lib/percentiles.js';
import { GEO_LATENCY_MS, GEO_REGIONS, type GeoBed, type GeoDb } from '../lib/postgres-geo-bed.js';
import { latencyRow, type Scenario, type ScenarioContext } from '../lib/scenario.js';

export const READ_AFTER_WRITE_SYSTEMS = [
  'edge-db',
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
  const plan = context.quick ? { warmup: 2, iterations: 8 } : { warmup: 5, iterations: 50 };
  const primaryDb = new Kysely<GeoDb>({ dialect: bed.dialect('primary') });
  const nearDb = new Kysely<GeoDb>({ dialect: bed.dialect('near') });
  const primary = { name: 'primary', dialect: bed.dialect('primary'), region: GEO_REGIONS.primary };
  const replicas = [
    { name: 'replica-far', dialect: bed.dialect('far'), region: GEO_REGIONS.farReplica },
    { name: 'replica-near', dialect: bed.dialect('near'), region: GEO_REGIONS.nearReplica },
  ];
  const location = { region: GEO_REGIONS.caller };
  let servedBy = new Map<string, number>();
  const onRoute = (event: RouteEvent): void => {
    if (!event.sql.trimStart().toLowerCase().startsWith('select')) return;
    const key = `${event.node}/${event.reason}`;
    servedBy.set(key, (servedBy.get(key) ?? 0) + 1);
  };
  const cluster = 'bench-geo-read-after-write';
  const insert = (db: Kysely<GeoDb>, id: number) =>
    db
      .insertInto('item')
      .values({ id, name: `written ${id}` })
      .execute();
  const find = (db: Kysely<GeoDb>, id: number) =>
    db.selectFrom('item').select(['id', 'name']).where('id', '=', id).executeTakeFirst();

  const cycles: Record<System, Cycle> = {
    'edge-db': async (id) => {
      const t0 = performance.now();
      const writer = edgeDb<GeoDb>({ primary, replicas, location, cluster, onRoute });
      await insert(writer, id);
      const token = await consistencyToken(writer);
      const t1 = performance.now();
      const reader = edgeDb<GeoDb>({ primary, replicas, location, cluster, onRoute, consistency: { token } });
      const row = await find(reader, id);
      return { writeMs: t1 - t0, readMs: performance.now() - t1, stale: row === undefined };
    },
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
    const rows: { system: System; reads: number[]; writes: number[]; stale: number }[] = [];
    for (const system of READ_AFTER_WRITE_SYSTEMS) {
      context.log(`geo-read-after-write: lag ${lag} ms, ${system}`);
      servedBy = new Map();
      const reads: number[] = [];
      const writes: number[] = [];
      let stale = 0;
      for (let i = -plan.warmup; i < plan.iterations; i++) {
        const outcome = await cycles[system](nextId++);
        if (i < 0) continue;
        reads.push(outcome.readMs);
        writes.push(outcome.writeMs);
        if (outcome.stale) stale++;
      }
      rows.push({ system, reads, writes, stale });
      const readSummary = summarize(reads);
      const writeSummary = summarize(writes);
      let notes =
        `replica lag ${lag} ms (recovery_min_apply_delay), primary RTT ${primaryRtt} ms; p50/p95/p99 are of the read after the write; ` +
        `write p50 ${round(writeSummary.p50_ms, 1)} ms${system === 'edge-db' ? ' (includes learning the commit position for the token)' : ''}`;
      if (system === 'edge-db') {
        const described = [...servedBy].map(([key, count]) => `${key} ${count}`).join(', ');
        notes += `; reads served by (node/reason, warm-up included): ${described}`;
      }
      results.push(
        latencyRow(
          {
            scenario: 'geo-read-after-write',
            system,
            variant: `lag ${lag} ms`,
            stale_reads: stale,
            values: {
              lag_ms: lag,
              write_p50_ms: round(writeSummary.p50_ms, 3),
              write_plus_read_p50_ms: round(summarize(writes.map((w, k) => w + reads[k]!)).p50_ms, 3),
            },
            notes,
          },
          readSummary,
        ),
      );
    }
    const edge = results.find((r) => r.variant === `lag ${lag} ms` && r.system === 'edge-db');
    const always = results.find(
      (r) => r.variant === `lag ${lag} ms` && r.system === 'always-primary-after-write',
    );
    if (edge !== undefined && always !== undefined && edge.p50_ms !== null && always.p50_ms !== null) {
      const index = results.indexOf(edge);
      const beats = edge.p50_ms < always.p50_ms;
      const expected = lag < primaryRtt;
      const verdict = expected
        ? `target (lag < primary RTT): zero stale ${edge.stale_reads === 0 ? 'met' : 'MISSED'}, faster than always-primary ${beats ? 'met' : 'MISSED'}`
        : `lag >= primary RTT: no speed target; zero stale ${edge.stale_reads === 0 ? 'met' : 'MISSED'}`;
      results[index] = { ...edge, notes: `${edge.notes ?? ''}; ${verdict}` };
    }
  }
  await Promise.all(bed.cluster.replicas.map((replica) => replica.setApplyDelay(0)));
  return results;
}
