import { PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Backend } from '../../../src/index.js';
import type { PostgresCluster } from '../../../src/testing/index.js';

/** node-postgres pools per node, shared by the instances of a test (closed by `end`). */
export function pgBackends(cluster: PostgresCluster, options: { max?: number } = {}) {
  const pools: pg.Pool[] = [];
  const make = (url: string, name: string): Backend => {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 4,
      connectionTimeoutMillis: 3000,
      query_timeout: 10_000,
      application_name: 'edge-db-test',
    });
    // A node taken down mid-test makes idle clients error; the test observes that through queries.
    pool.on('error', () => undefined);
    pools.push(pool);
    // Kysely's PostgresDialect ends its pool on destroy; give it a wrapper whose end() is a no-op so instances
    // can be destroyed per request while the test owns the pool.
    const shared = Object.assign(Object.create(pool) as pg.Pool, { end: async () => undefined });
    return { name, dialect: new PostgresDialect({ pool: shared }) };
  };
  return {
    primary: make(cluster.primary.url, 'primary'),
    replicas: cluster.replicas.map((replica, i) => make(replica.url, `replica-${i}`)),
    pools,
    async end() {
      await Promise.allSettled(pools.map((pool) => pool.end()));
    },
  };
}
