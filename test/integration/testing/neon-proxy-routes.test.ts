import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neon } from '../../../src/drivers/neon/index.js';
import {
  type NeonProxy,
  neonLocalSettings,
  type PostgresCluster,
  postgresHttpRoutes,
} from '../../../src/testing/index.js';
import { startNeonPostgresCluster } from '../../support/neon-postgres-cluster.js';

let cluster: PostgresCluster;
let proxy: NeonProxy;

beforeAll(async () => {
  ({ cluster, proxy } = await startNeonPostgresCluster({ replicas: 1 }));
});
afterAll(async () => {
  await proxy?.close();
  await cluster?.stop();
});

describe('SQL-over-HTTP routes: latency between caller and proxy, as with Neon', () => {
  it('maps a node’s relayed address to the node itself with the node’s current latency', () => {
    const route = postgresHttpRoutes(cluster);
    const replica = cluster.replicas[0]!;
    replica.setLatency(17);
    expect(route(replica.host, replica.port)).toEqual({
      host: '127.0.0.1',
      port: replica.directPort,
      latencyMs: 17,
    });
    replica.setMode('down');
    expect(route(replica.host, replica.port)).toBeUndefined();
    replica.setMode('up');
    replica.setLatency(0);
    expect(route('127.0.0.1', 1)).toBeUndefined();
  });

  it('serves single statements and batches through the route, and fails like the node when it is down', async () => {
    const replica = cluster.replicas[0]!;
    const backend = neon({ ...neonLocalSettings(proxy, replica.url), requestTimeoutMs: 2_000 });
    const db = new Kysely<any>({ dialect: backend.dialect });
    try {
      replica.setLatency(20);
      const started = performance.now();
      const single = await sql<{ r: boolean }>`select pg_is_in_recovery() as r`.execute(db);
      const singleMs = performance.now() - started;
      expect(single.rows[0]?.r).toBe(true);
      const driver = backend.dialect.createDriver();
      await driver.init();
      const connection = await driver.acquireConnection();
      const batchStarted = performance.now();
      const checked = await backend.replication.executeWithPosition(
        connection,
        sql`select 1 as one`.compile(db),
        {
          role: 'replica',
          minPosition: 0n,
        },
      );
      const batchMs = performance.now() - batchStarted;
      await driver.releaseConnection(connection);
      await driver.destroy();
      expect(checked.result.rows).toEqual([{ one: 1 }]);
      // measured, not asserted: both should be about one 40 ms round trip
      console.log(
        `neon proxy routes: single statement ${singleMs.toFixed(1)} ms, [check, read, check] batch ${batchMs.toFixed(1)} ms`,
      );
      replica.setMode('down');
      await expect(sql`select 1`.execute(db)).rejects.toThrow();
    } finally {
      replica.setMode('up');
      replica.setLatency(0);
      await db.destroy();
    }
  });
});
