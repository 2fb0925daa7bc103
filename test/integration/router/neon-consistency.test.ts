import { afterAll, beforeAll, describe } from 'vitest';
import type { NeonProxy, PostgresCluster } from '../../../src/testing/index.js';
import { startNeonPostgresCluster } from '../../support/neon-postgres-cluster.js';
import { itKeepsReadYourWrites, type LaggingCluster } from './consistency-harness.js';
import { neonBackends } from './neon-backends.js';
import { postgresLaggingCluster } from './postgres-lagging-cluster.js';

let cluster: PostgresCluster;
let proxy: NeonProxy;
let lagging: LaggingCluster;

beforeAll(async () => {
  ({ cluster, proxy } = await startNeonPostgresCluster({ replicas: 2 }));
  lagging = await postgresLaggingCluster(cluster, {
    name: 'neon-consistency',
    ...neonBackends(proxy, cluster),
  });
});

afterAll(async () => {
  await lagging?.calm().catch(() => undefined);
  await proxy?.close();
  await cluster?.stop();
});

describe('read-your-writes with the Neon driver (HTTP path, piggy-backed positions) on real replicas', () => {
  itKeepsReadYourWrites('neon', () => lagging, { runs: 20, eventualRuns: 4, seed: 777 });
});
