import { PostgresDialect } from 'kysely';
import pg from 'pg';
import { type PostgresCluster, startPostgresCluster } from '../../src/testing/index.js';

/** One-way delays of the simulated regions, in milliseconds (round trip is twice that). */
export const GEO_LATENCY_MS = Object.freeze({ primary: 70, nearReplica: 2, farReplica: 40 });

/**
 * Region codes that match the simulated delays, for edge-db's distance prior: a caller in Frankfurt, a replica in
 * Frankfurt (2 ms), one in Virginia (~40 ms one way) and the primary in Singapore (~70+ ms one way).
 */
export const GEO_REGIONS = Object.freeze({
  caller: 'fra',
  primary: 'sin',
  nearReplica: 'fra',
  farReplica: 'iad',
});

/** Table every geo scenario reads and writes. */
export interface GeoDb {
  item: { id: number; name: string };
}

/**
 * A PostgreSQL primary with a near and a far hot standby behind user-space latency relays, plus one node-postgres
 * pool per node. The benchmarked systems all use Kysely's own `PostgresDialect` over these pools, so the only
 * thing that differs between them is where each statement goes.
 */
export interface GeoBed {
  readonly cluster: PostgresCluster;
  readonly pools: { readonly primary: pg.Pool; readonly near: pg.Pool; readonly far: pg.Pool };
  /**
   * A fresh dialect over a node's shared pool. Never `destroy()` a Kysely built on it: Kysely's Postgres driver
   * ends its pool on destroy, and the pools belong to the bed (`stop()` ends them).
   */
  dialect(node: 'primary' | 'near' | 'far'): PostgresDialect;
  /**
   * A fresh dialect over a second pool per node whose clients pipeline (node-postgres `pipeline: true`), for
   * edge-db's `pipelinedPostgresReplication`. Same ownership rule as {@link GeoBed.dialect}.
   */
  pipelinedDialect(node: 'primary' | 'near' | 'far'): PostgresDialect;
  /**
   * Sets the one-way delays of the primary and both replicas (another topology on the same servers);
   * `setLatencies(GEO_LATENCY_MS)` restores the geo layout. Scenarios run one at a time, so a scenario that
   * changes them restores them in `finally`.
   */
  setLatencies(latencies: {
    readonly primary: number;
    readonly nearReplica: number;
    readonly farReplica: number;
  }): void;
  stop(): Promise<void>;
}

const ROWS = 100;

/** Starts the cluster, seeds `item`, sets the latencies and warms one connection per pool. */
export async function startGeoBed(log: (message: string) => void): Promise<GeoBed> {
  log('geo bed: starting PostgreSQL primary + 2 standbys');
  const cluster = await startPostgresCluster({ replicas: 2 });
  const pools: pg.Pool[] = [];
  try {
    const pool = (url: string, pipeline = false): pg.Pool => {
      const created = new pg.Pool({
        connectionString: url,
        ...(pipeline ? { pipeline: true } : {}),
        max: 4,
        connectionTimeoutMillis: 10_000,
        query_timeout: 15_000,
        idleTimeoutMillis: 0,
      });
      // An idle client's socket error (e.g. at shutdown) must not crash the bench.
      created.on('error', () => undefined);
      pools.push(created);
      return created;
    };
    const [nearNode, farNode] = cluster.replicas;
    if (nearNode === undefined || farNode === undefined) throw new Error('the geo bed needs two replicas');
    const primary = pool(cluster.primary.url);
    const near = pool(nearNode.url);
    const far = pool(farNode.url);
    const pipelined = {
      primary: pool(cluster.primary.url, true),
      near: pool(nearNode.url, true),
      far: pool(farNode.url, true),
    };

    await primary.query('create table item (id integer primary key, name text not null)');
    await primary.query(`insert into item select g, 'item ' || g from generate_series(1, ${ROWS}) g`);
    const target = await cluster.primary.currentPosition();
    await Promise.all(cluster.replicas.map((replica) => replica.waitForPosition(target, 10_000)));
    log(`geo bed: seeded ${ROWS} rows on every node`);

    const setLatencies: GeoBed['setLatencies'] = (latencies) => {
      cluster.primary.setLatency(latencies.primary);
      nearNode.setLatency(latencies.nearReplica);
      farNode.setLatency(latencies.farReplica);
    };
    setLatencies(GEO_LATENCY_MS);
    // Open the pools' connections now, so no system pays a connection set-up inside its measurement.
    await Promise.all(
      [primary, near, far, pipelined.primary, pipelined.near, pipelined.far].map((each) => warm(each)),
    );

    const dialects = { primary, near, far };
    let stopped: Promise<void> | undefined;
    return {
      cluster,
      pools: dialects,
      dialect: (node) => new PostgresDialect({ pool: dialects[node] }),
      pipelinedDialect: (node) => new PostgresDialect({ pool: pipelined[node] }),
      setLatencies,
      stop: () => {
        stopped ??= closeAll(pools, cluster);
        return stopped;
      },
    };
  } catch (error) {
    await closeAll(pools, cluster);
    throw error;
  }
}

async function warm(pool: pg.Pool): Promise<void> {
  const clients = await Promise.all(Array.from({ length: 2 }, () => pool.connect()));
  for (const client of clients) client.release();
}

async function closeAll(pools: readonly pg.Pool[], cluster: PostgresCluster): Promise<void> {
  for (const node of [cluster.primary, ...cluster.replicas]) node.setLatency(0);
  await Promise.allSettled(pools.map((each) => each.end()));
  await cluster.stop();
}
