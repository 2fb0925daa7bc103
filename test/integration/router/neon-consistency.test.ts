import { afterAll, beforeAll, describe } from 'vitest';
import { neon } from '../../../src/drivers/neon/index.js';
import { edgeDb } from '../../../src/index.js';
import {
  type NeonProxy,
  neonLocalSettings,
  type PostgresCluster,
  postgresHttpRoutes,
  startNeonProxy,
  startPostgresClusterWith,
} from '../../../src/testing/index.js';
import {
  itKeepsReadYourWrites,
  type KvDatabase,
  type LaggingCluster,
  replicaChaos,
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
  // Users without a token may read any replica: let the seed reach every replica before the workload starts.
  const seeded = await cluster.primary.currentPosition();
  for (const replica of cluster.replicas) await replica.waitForPosition(seeded);
});

afterAll(async () => {
  await lagging?.calm().catch(() => undefined);
  await proxy?.close();
  await cluster?.stop();
});

describe('read-your-writes with the Neon driver (HTTP path, piggy-backed positions) on real replicas', () => {
  itKeepsReadYourWrites('neon', () => lagging, { runs: 20, eventualRuns: 4, seed: 777 });
});
