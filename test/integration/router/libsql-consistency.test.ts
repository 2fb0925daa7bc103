import { afterAll, beforeAll, describe } from 'vitest';
import { libsql } from '../../../src/drivers/libsql/index.js';
import { edgeDb } from '../../../src/index.js';
import { type LibsqlCluster, startLibsqlClusterWith } from '../../../src/testing/index.js';
import {
  itKeepsReadYourWrites,
  type KvDatabase,
  type LaggingCluster,
  replicaChaos,
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
  // Users without a token may read any replica: let the seed reach every replica before the workload starts.
  const seeded = await cluster.primary.replicationIndex();
  for (const replica of cluster.replicas) await replica.waitForIndex(seeded);
});

afterAll(async () => {
  await lagging?.calm().catch(() => undefined);
  await cluster?.stop();
});

describe('read-your-writes on the local libSQL cluster (real engine, embedded-replica sync)', () => {
  itKeepsReadYourWrites('libsql', () => lagging, { runs: 15, eventualRuns: 4, seed: 99 });
});
