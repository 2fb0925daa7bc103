import { performance } from 'node:perf_hooks';
import { PostgresDialect } from 'kysely';
import pg from 'pg';
import { isolateCache } from '../../src/cache/index.js';
import { cacheStats, consistencyToken, edgeDb } from '../../src/index.js';
import type { BenchResult } from '../lib/bench-result.js';
import { heapAfterGc } from '../lib/heap.js';
import { round, summarize } from '../lib/percentiles.js';
import { GEO_LATENCY_MS, type GeoDb } from '../lib/postgres-geo-bed.js';
import { RouteCounter } from '../lib/route-counter.js';
import { latencyRow, type Scenario, type ScenarioContext } from '../lib/scenario.js';
import { SAME_REGION_LATENCY_MS } from './same-region.js';

/** Concurrent sessions (users), each a chain of requests. */
export const SESSIONS = 40;
/** Share of requests that write. */
const WRITE_SHARE = 0.05;
/** Share of reads that read the session's own row (where a stale read would show). */
const OWN_ROW_SHARE = 0.3;
const FULL_QUERIES = 1_000_000;
const FULL_WALL_CAP_MS = 120_000;

/**
 * Issue 19's sustained load: 40 concurrent sessions over the PostgreSQL cluster (node-postgres pools, every node
 * in the caller's region), each request a new `edgeDb()` built from the previous response's token, one query per
 * request (5% writes to the session's own row, reads of the session's row or a random one), cache on.
 * Reports throughput, request latency, where reads went, stale reads of the session's own row and the heap.
 */
export const sustainedLoad: Scenario = {
  name: 'sustained-load',
  description: `${SESSIONS} concurrent sessions, each request a new edgeDb() from the previous response's token, one query per request (${WRITE_SHARE * 100}% writes), cache on, PostgreSQL primary + 2 standbys ${SAME_REGION_LATENCY_MS} ms away through node-postgres: throughput, request p50/p99, share of reads on replicas, stale reads and heap after the run.`,
  async run(context: ScenarioContext): Promise<BenchResult[]> {
    const bed = await context.geoBed();
    const target = context.quick ? 1_500 : FULL_QUERIES;
    const wallCapMs = context.quick ? 8_000 : FULL_WALL_CAP_MS;
    bed.setLatencies({
      primary: SAME_REGION_LATENCY_MS,
      nearReplica: SAME_REGION_LATENCY_MS,
      farReplica: SAME_REGION_LATENCY_MS,
    });
    const pools = [bed.cluster.primary, ...bed.cluster.replicas].map((node) => {
      const pool = new pg.Pool({
        connectionString: node.url,
        max: 10,
        connectionTimeoutMillis: 10_000,
        query_timeout: 15_000,
        idleTimeoutMillis: 0,
      });
      pool.on('error', () => undefined);
      return pool;
    });
    try {
      const [primaryPool, ...replicaPools] = pools as [pg.Pool, ...pg.Pool[]];
      const dialects = {
        primary: { name: 'primary', dialect: new PostgresDialect({ pool: primaryPool }) },
        replicas: replicaPools.map((pool, i) => ({
          name: `replica-${i + 1}`,
          dialect: new PostgresDialect({ pool }),
        })),
      };
      const counter = new RouteCounter();
      const cluster = 'bench-sustained-load';
      const config = {
        primary: dialects.primary,
        replicas: dialects.replicas,
        cluster,
        cache: isolateCache({ ttlMs: 1_000, maxBytes: 8 * 1024 * 1024 }),
        onRoute: counter.onRoute,
      };
      const latencies = new Float64Array(target);
      let issued = 0;
      let completed = 0;
      let stale = 0;
      let errors = 0;
      let firstError: string | undefined;
      const checkpoints: { queries: number; heapMiB: number }[] = [];
      // A heap reading at each quarter of the run: of the queries, or of the time cap when that comes first.
      let quarter = 1;

      // Warm-up (not counted): every pool's connections open, the router has measured its nodes.
      counter.enabled = false;
      await Promise.all(
        Array.from({ length: SESSIONS }, (_, s) =>
          edgeDb<GeoDb>({ ...config })
            .selectFrom('item')
            .select('id')
            .where('id', '=', s + 1)
            .execute(),
        ),
      );
      counter.enabled = true;
      const before = heapAfterGc();
      const started = performance.now();
      const deadline = started + wallCapMs;

      const session = async (s: number): Promise<void> => {
        const random = mulberry32(0x5eed + s);
        const ownId = s + 1;
        let token: string | null | undefined = null;
        let written: string | undefined;
        let n = 0;
        while (issued < target && performance.now() < deadline) {
          const slot = issued++;
          const t0 = performance.now();
          try {
            const db = edgeDb<GeoDb>({ ...config, consistency: { token } });
            if (random() < WRITE_SHARE) {
              const name = `s${s}-${n++}`;
              await db.updateTable('item').set({ name }).where('id', '=', ownId).execute();
              written = name;
            } else {
              const id = random() < OWN_ROW_SHARE ? ownId : 1 + Math.floor(random() * 100);
              const row = await db
                .selectFrom('item')
                .select(['id', 'name'])
                .where('id', '=', id)
                .executeTakeFirst();
              if (id === ownId && written !== undefined && row?.name !== written) stale++;
            }
            token = await consistencyToken(db);
          } catch (error) {
            errors++;
            firstError ??= error instanceof Error ? error.message : String(error);
          }
          latencies[slot] = performance.now() - t0;
          completed++;
          if (
            quarter < 4 &&
            (completed >= (quarter * target) / 4 || performance.now() - started >= (quarter * wallCapMs) / 4)
          ) {
            quarter++;
            checkpoints.push({ queries: completed, heapMiB: heapAfterGc().heapMiB });
          }
        }
      };
      context.log(`sustained-load: ${SESSIONS} sessions, up to ${target} queries or ${wallCapMs / 1000} s`);
      await Promise.all(Array.from({ length: SESSIONS }, (_, s) => session(s)));
      const elapsedS = (performance.now() - started) / 1000;
      const after = heapAfterGc();
      checkpoints.push({ queries: completed, heapMiB: after.heapMiB });
      const stats = await cacheStats(edgeDb<GeoDb>({ ...config }));
      const summary = summarize(Array.from(latencies.subarray(0, completed)));
      const capped = completed < target;
      const notes = [
        `${completed.toLocaleString('en-US')} queries in ${elapsedS.toFixed(1)} s` +
          (capped
            ? ` (stopped at the ${wallCapMs / 1000} s cap before ${target.toLocaleString('en-US')}: the heap figure is after ${completed.toLocaleString('en-US')} queries, not ${target.toLocaleString('en-US')})`
            : ''),
        `one request = new edgeDb() from the previous token + one query + consistencyToken(); p50/p95/p99 are per request`,
        `reads served by: ${counter.describe()}`,
        `heap after forced GC (MiB) at ${checkpoints.map((c) => `${c.queries.toLocaleString('en-US')}: ${c.heapMiB}`).join(', ')}${after.collected ? '' : ' (GC could not be forced: figures include garbage)'}`,
        `cache: ${JSON.stringify(stats)}`,
        ...(firstError === undefined ? [] : [`first error: ${firstError.slice(0, 200)}`]),
      ].join('; ');
      return [
        latencyRow(
          {
            scenario: 'sustained-load',
            system: 'edge-db',
            variant: `${SESSIONS} sessions, postgres`,
            topology: 'same-region postgres',
            stale_reads: stale,
            values: {
              queries: completed,
              queries_per_s: Math.round(completed / elapsedS),
              errors,
              replica_read_share: round(counter.share('replica'), 3),
              cache_read_share: round(counter.share('cache'), 3),
              primary_read_share: round(counter.share('primary'), 3),
              heap_start_mib: before.heapMiB,
              heap_end_mib: after.heapMiB,
              heap_growth_mib: round(after.heapMiB - before.heapMiB, 1),
              external_start_mib: before.externalMiB,
              external_end_mib: after.externalMiB,
              rss_start_mib: before.rssMiB,
              rss_end_mib: after.rssMiB,
            },
            notes,
          },
          summary,
        ),
      ];
    } finally {
      bed.setLatencies(GEO_LATENCY_MS);
      await Promise.allSettled(pools.map((pool) => pool.end()));
    }
  },
};

/** A small seeded PRNG, so every run issues the same mix of requests. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
