import { CompiledQuery } from 'kysely';
import { neon } from '../../src/drivers/neon/index.js';
import { neonLocalSettings, postgresHttpRoutes, startNeonProxy } from '../../src/testing/index.js';
import type { BenchResult } from '../lib/bench-result.js';
import { measureSequential } from '../lib/measure.js';
import { summarize } from '../lib/percentiles.js';
import { latencyRow, type Scenario } from '../lib/scenario.js';

const READ = CompiledQuery.raw('select id, name from item where id = 7');

/**
 * What proving a replica fresh costs on the near replica (2 ms one way), per transport: a plain read vs the same
 * read with the session's position checked. For Neon the 2 ms are between the caller and the proxy. The Neon driver checks in the read's own HTTP request (a
 * `[check, read, check]` READ COMMITTED batch); a plain Kysely Postgres dialect needs a separate probe.
 */
export const positionCost: Scenario = {
  name: 'position-cost',
  description:
    'Cost of checking a replica position with a read on the near replica (2 ms one way): plain read vs position-checked read, Neon HTTP (same request) and node-postgres (separate probe).',
  async run(context): Promise<BenchResult[]> {
    const bed = await context.geoBed();
    const near = bed.cluster.replicas[0]!;
    const plan = context.quick ? { warmup: 5, iterations: 30 } : { warmup: 20, iterations: 200 };
    // Neon's proxy sits next to its database; the long hop is caller → proxy: the routes hold each HTTP request
    // for the node's one-way latency on the way in and out, and the proxy talks to the standby directly.
    const proxy = await startNeonProxy({ httpRoute: postgresHttpRoutes(bed.cluster) });
    try {
      const backend = neon({ ...neonLocalSettings(proxy, near.url), name: 'near' });
      const driver = backend.dialect.createDriver();
      await driver.init();
      const required = await near.replayPosition();
      const results: BenchResult[] = [];
      const timed = async (system: string, op: () => Promise<void>, notes: string) => {
        context.log(`position-cost: ${system}`);
        const samples = await measureSequential(plan, op);
        results.push(latencyRow({ scenario: 'position-cost', system, notes }, summarize(samples)));
      };
      const onConnection = async (
        use: (c: Awaited<ReturnType<typeof driver.acquireConnection>>) => Promise<unknown>,
      ) => {
        const connection = await driver.acquireConnection();
        try {
          await use(connection);
        } finally {
          await driver.releaseConnection(connection);
        }
      };
      await timed(
        'neon http: plain read',
        () => onConnection((c) => c.executeQuery(READ)),
        'one statement, one HTTP request',
      );
      await timed(
        'neon http: read + position check',
        () =>
          onConnection((c) =>
            backend.replication.executeWithPosition(c, READ, { role: 'replica', minPosition: required }),
          ),
        '[check, read, check] batch, one HTTP request',
      );
      await driver.destroy();

      // Straight on node-postgres (no Kysely): what any Postgres dialect pays for the probe.
      const pool = bed.pools.near;
      await timed(
        'node-postgres: plain read',
        async () => {
          await pool.query(READ.sql);
        },
        'one statement',
      );
      await timed(
        'node-postgres: probe + read',
        async () => {
          const client = await pool.connect();
          try {
            await client.query('select pg_last_wal_replay_lsn()::text as lsn');
            await client.query(READ.sql);
          } finally {
            client.release();
          }
        },
        'pg_last_wal_replay_lsn() probe, then the read: two round trips',
      );
      return results;
    } finally {
      await proxy.close();
    }
  },
};
