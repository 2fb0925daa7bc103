import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neon } from '../../../src/drivers/neon/index.js';
import { edgeDb, resetClusterState } from '../../../src/index.js';
import {
  type NeonProxy,
  neonLocalSettings,
  type PostgresCluster,
  postgresHttpRoutes,
  startNeonProxy,
  startPostgresClusterWith,
} from '../../../src/testing/index.js';
import {
  type KvDatabase,
  type LaggingCluster,
  replicaChaos,
  runConsistencyWorkload,
  seedKv,
} from './consistency-harness.js';

let cluster: PostgresCluster;
let proxy: NeonProxy;
let lagging: LaggingCluster;

beforeAll(async () => {
  cluster = await startPostgresClusterWith({ replicas: 2 });
  proxy = await startNeonProxy({ httpRoute: postgresHttpRoutes(cluster) });
  lagging = {
    name: 'neon-consistency',
    primary: neon({ ...neonLocalSettings(proxy, cluster.primary.url), name: 'primary' }),
    replicas: cluster.replicas.map((replica, i) =>
      neon({ ...neonLocalSettings(proxy, replica.url), name: `replica-${i}` }),
    ),
    ...replicaChaos(
      cluster.replicas.map((replica) => ({
        pause: () => replica.pause(),
        resume: () => replica.resume(),
        setLag: (ms: number) => replica.setApplyDelay(ms),
      })),
      [0, 20, 200],
      0,
    ),
  };
  await seedKv(edgeDb<KvDatabase>({ primary: lagging.primary }));
});

afterAll(async () => {
  await lagging?.calm().catch(() => undefined);
  await proxy?.close();
  await cluster?.stop();
});

describe('read-your-writes with the Neon driver (HTTP path, piggy-backed positions) on real replicas', () => {
  it('has zero stale and zero non-monotonic reads while replicas lag at random', async () => {
    resetClusterState();
    const report = await runConsistencyWorkload(lagging, {
      runs: 20,
      opsPerRun: 60,
      consistency: 'session',
      seed: 777,
    });
    console.log('neon session consistency:', report);
    expect(report.operations).toBeGreaterThanOrEqual(1200);
    expect(report.staleReads).toBe(0);
    expect(report.nonMonotonicReads).toBe(0);
    expect(report.servedByReplica).toBeGreaterThan(0);
  });

  it('shows stale reads with consistency turned off', async () => {
    resetClusterState();
    const report = await runConsistencyWorkload(lagging, {
      runs: 4,
      opsPerRun: 60,
      consistency: 'eventual',
      seed: 777,
    });
    console.log('neon eventual consistency:', report);
    expect(report.staleReads).toBeGreaterThan(0);
  });
});
