import {
  type NeonProxy,
  type PostgresCluster,
  type PostgresClusterWithOptions,
  postgresHttpRoutes,
  startNeonProxy,
  startPostgresClusterWith,
} from '../../src/testing/index.js';

/** A real PostgreSQL cluster and the local Neon proxy in front of it. */
export interface NeonPostgresCluster {
  readonly cluster: PostgresCluster;
  readonly proxy: NeonProxy;
}

/**
 * Starts a PostgreSQL cluster and a local Neon proxy whose SQL-over-HTTP routes reach its nodes (with each
 * node's latency and faults, as the WebSocket path has them). The caller closes the proxy and stops the cluster.
 */
export async function startNeonPostgresCluster(
  options: PostgresClusterWithOptions,
): Promise<NeonPostgresCluster> {
  const cluster = await startPostgresClusterWith(options);
  try {
    return { cluster, proxy: await startNeonProxy({ httpRoute: postgresHttpRoutes(cluster) }) };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
