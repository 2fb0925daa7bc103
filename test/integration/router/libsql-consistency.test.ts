import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libsql } from '../../../src/drivers/libsql/index.js';
import { edgeDb, resetClusterState } from '../../../src/index.js';
import { type LibsqlCluster, startLibsqlClusterWith } from '../../../src/testing/index.js';
import {
  type KvDatabase,
  type LaggingCluster,
  replicaChaos,
  runConsistencyWorkload,
  seedKv,
} from './consistency-harness.js';

let cluster: LibsqlCluster;
let lagging: LaggingCluster;

beforeAll(async () => {
  cluster = await startLibsqlClusterWith({ replicas: 2, replicationWaitMs: 200 });
  lagging = {
    name: 'libsql-consistency',
    primary: libsql({ url: cluster.primary.url, name: 'primary' }),
    replicas: cluster.replicas.map((replica, i) => libsql({ url: replica.url, name: `replica-${i}` })),
    ...replicaChaos(
      cluster.replicas.map((replica) => ({
        pause: () => replica.pause(),
        resume: () => replica.resume(),
        setLag: (ms: number) => replica.setPullInterval(ms),
      })),
      [5, 25, 200],
      25,
    ),
  };
  await seedKv(edgeDb<KvDatabase>({ primary: lagging.primary }));
});

afterAll(async () => {
  await lagging?.calm().catch(() => undefined);
  await cluster?.stop();
});

describe('read-your-writes on the local libSQL cluster (real engine, embedded-replica sync)', () => {
  it('has zero stale and zero non-monotonic reads while replicas lag at random', async () => {
    resetClusterState();
    const report = await runConsistencyWorkload(lagging, {
      runs: 15,
      opsPerRun: 60,
      consistency: 'session',
      seed: 99,
    });
    console.log('libsql session consistency:', report);
    expect(report.operations).toBeGreaterThanOrEqual(900);
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
      seed: 99,
    });
    console.log('libsql eventual consistency:', report);
    expect(report.staleReads).toBeGreaterThan(0);
  });
});
