import type { Backend } from '../../../src/index.js';
import { edgeDb } from '../../../src/index.js';
import type { PostgresCluster } from '../../../src/testing/index.js';
import { type KvDatabase, type LaggingCluster, replicaChaos, seedKv } from './consistency-harness.js';

/**
 * The consistency harness's cluster over real PostgreSQL standbys reached through `backends` (any driver):
 * chaos pauses and resumes replay or sets an apply delay of 0, 20 or 200 ms (0 when calm). `kv` is seeded
 * through the primary and replayed by every standby before it returns.
 */
export async function postgresLaggingCluster(
  cluster: PostgresCluster,
  backends: { readonly name: string; readonly primary: Backend; readonly replicas: readonly Backend[] },
): Promise<LaggingCluster> {
  const lagging: LaggingCluster = {
    ...backends,
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
  return lagging;
}
