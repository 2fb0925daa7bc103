import type { GuestbookEnv } from '../examples/shared/guestbook.js';
import {
  postgresHttpRoutes,
  startLibsqlCluster,
  startNeonProxy,
  startPostgresCluster,
} from '../src/testing/index.js';

/** One simulated region: a node's name, the region it stands for, and its one-way latency from the caller. */
export interface DemoRegion {
  readonly node: string;
  readonly region: string;
  readonly latencyMs: number;
}

/** A running demo cluster with three simulated regions. */
export interface DemoCluster {
  readonly label: string;
  readonly env: GuestbookEnv;
  readonly regions: readonly DemoRegion[];
  /** Takes a replica down (connections refused) or brings it back. */
  setReplicaMode(index: number, mode: 'up' | 'down'): Promise<void>;
  stop(): Promise<void>;
}

// The caller sits in Frankfurt: the EU replica is next door, the primary is across the Atlantic.
const REGIONS: readonly DemoRegion[] = [
  { node: 'primary', region: 'aws-us-east-1', latencyMs: 45 },
  { node: 'replica-0', region: 'aws-eu-central-1', latencyMs: 3 },
  { node: 'replica-1', region: 'aws-ap-southeast-1', latencyMs: 80 },
];

const [PRIMARY, NEAR, FAR] = REGIONS as [DemoRegion, DemoRegion, DemoRegion];
const placement = {
  PRIMARY_REGION: PRIMARY.region,
  REPLICA_REGIONS: `${NEAR.region},${FAR.region}`,
  // miniflare has no real colo in request.cf: say where the demo's "edge" is.
  CALLER_REGION: 'aws-eu-central-1',
};

/** The embedded libSQL cluster (no system packages): primary in this process, replicas as child processes. */
export async function startLibsqlDemoCluster(): Promise<DemoCluster> {
  const cluster = await startLibsqlCluster({ replicas: 2 });
  try {
    cluster.primary.setLatency(PRIMARY.latencyMs);
    await cluster.replicas[0]?.setLatency(NEAR.latencyMs);
    await cluster.replicas[1]?.setLatency(FAR.latencyMs);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return {
    label: 'libSQL (embedded primary + 2 embedded replicas, Hrana over HTTP)',
    env: {
      DB_DRIVER: 'libsql',
      PRIMARY_URL: cluster.primary.url,
      REPLICA_URLS: cluster.replicas.map((replica) => replica.url).join(','),
      ...placement,
    },
    regions: REGIONS,
    setReplicaMode: async (index, mode) => {
      await cluster.replicas[index]?.setMode(mode);
    },
    stop: () => cluster.stop(),
  };
}

/** PostgreSQL 15 with two streaming standbys, reached with the Neon driver through the local Neon proxy. */
export async function startPostgresDemoCluster(): Promise<DemoCluster> {
  const cluster = await startPostgresCluster({ replicas: 2 });
  let proxy: Awaited<ReturnType<typeof startNeonProxy>>;
  try {
    proxy = await startNeonProxy({ httpRoute: postgresHttpRoutes(cluster) });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  cluster.primary.setLatency(PRIMARY.latencyMs);
  cluster.replicas[0]?.setLatency(NEAR.latencyMs);
  cluster.replicas[1]?.setLatency(FAR.latencyMs);
  return {
    label: 'PostgreSQL 15 (primary + 2 streaming standbys) via the Neon serverless driver',
    env: {
      DB_DRIVER: 'neon',
      PRIMARY_URL: cluster.primary.url,
      REPLICA_URLS: cluster.replicas.map((replica) => replica.url).join(','),
      NEON_LOCAL_PROXY: proxy.url,
      ...placement,
    },
    regions: REGIONS,
    setReplicaMode: async (index, mode) => {
      cluster.replicas[index]?.setMode(mode);
    },
    stop: async () => {
      await proxy.close();
      await cluster.stop();
    },
  };
}
