import { PostgresDialect } from 'kysely';
import pg from 'pg';
import { type Backend, pipelinedPostgresReplication } from '../../../src/index.js';
import type { PostgresCluster } from '../../../src/testing/index.js';

/** node-postgres pools per node, shared by the instances of a test (closed by `end`). */
export function pgBackends(
  cluster: PostgresCluster,
  options: { max?: number; regions?: readonly string[]; pipeline?: boolean } = {},
) {
  const pools: pg.Pool[] = [];
  const make = (url: string, name: string, index: number): Backend => {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 4,
      connectionTimeoutMillis: 3000,
      query_timeout: 10_000,
      application_name: 'edge-db-test',
      // node-postgres 8.23+: statements handed to a client without waiting go out together.
      ...(options.pipeline === true ? { pipeline: true } : {}),
    });
    // A node taken down mid-test makes idle clients error; the test observes that through queries.
    pool.on('error', () => undefined);
    // Checked-out clients get no error listener from Kysely; a reset socket must not crash the test process.
    pool.on('connect', (client) => client.on('error', () => undefined));
    pools.push(pool);
    // Kysely's PostgresDialect ends its pool on destroy; give it a wrapper whose end() is a no-op so instances
    // can be destroyed per request while the test owns the pool.
    const shared = Object.assign(Object.create(pool) as pg.Pool, { end: async () => undefined });
    const region = options.regions?.[index];
    return {
      name,
      dialect: new PostgresDialect({ pool: shared }),
      ...(options.pipeline === true ? { replication: pipelinedPostgresReplication } : {}),
      ...(region === undefined ? {} : { region }),
    };
  };
  return {
    primary: make(cluster.primary.url, 'primary', 0),
    replicas: cluster.replicas.map((replica, i) => make(replica.url, `replica-${i}`, i + 1)),
    pools,
    async end() {
      // A client whose socket sat in a blackholed relay can make end() wait forever: bound it, then destroy.
      await Promise.allSettled(
        pools.map((pool) =>
          Promise.race([pool.end(), new Promise((resolve) => setTimeout(resolve, 3000))]).then(() => {
            for (const client of (
              pool as unknown as { _clients: { connection?: { stream?: { destroy(): void } } }[] }
            )._clients ?? []) {
              client.connection?.stream?.destroy();
            }
          }),
        ),
      );
    },
  };
}
