import type { PostgresCluster } from '../postgres/postgres-cluster.js';
import type { NeonHttpRoute } from './neon-proxy.js';

/**
 * Routes for `startNeonProxy({ httpRoute })` over a `startPostgresCluster` cluster: a SQL-over-HTTP request for
 * a node's relayed address goes straight to the node and is held for the node's current one-way latency on the
 * way in and out, as with Neon, whose proxy sits next to the database. A node whose relay is `down` or
 * `blackhole` keeps going through its relay, so it fails or hangs like the node.
 *
 * ### Examples
 * ```ts
 * const proxy = await startNeonProxy({ httpRoute: postgresHttpRoutes(cluster) })
 * ```
 */
export function postgresHttpRoutes(
  cluster: PostgresCluster,
): (host: string, port: number) => NeonHttpRoute | undefined {
  const nodes = [cluster.primary, ...cluster.replicas];
  return (host, port) => {
    const node = nodes.find((candidate) => candidate.port === port && candidate.host === host);
    if (node === undefined || node.mode !== 'up') return undefined;
    return { host: '127.0.0.1', port: node.directPort, latencyMs: node.latencyMs };
  };
}
