import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { LatencyRelay } from '../network/latency-relay.js';
import { loadPg } from '../postgres/load-pg.js';
import type { PostgresCluster } from '../postgres/postgres-cluster.js';
import type { PostgresPrimary } from '../postgres/postgres-node.js';
import { nodeView, replicaView } from '../postgres/postgres-node-views.js';
import type { PostgresServer } from '../postgres/postgres-server.js';
import { readCommittedPosition } from '../postgres/read-committed-position.js';
import { withPostgresClient } from '../postgres/with-postgres-client.js';
import { ContainerClusterResources } from './container-cluster-resources.js';
import { loadTestcontainers } from './load-testcontainers.js';
import {
  POSTGRES_CONTAINER_PORT,
  POSTGRES_PRIMARY_DATA_DIR,
  POSTGRES_STANDBY_DATA_DIR,
  postgresContainerSpecs,
} from './postgres-container-specs.js';
import {
  type PostgresContainersOptions,
  resolvePostgresContainersOptions,
} from './postgres-containers-options.js';
import {
  POSTGRES_STREAMING_SQL,
  type ReplicationRow,
  standbysNotStreaming,
} from './postgres-streaming-readiness.js';
import { startContainerFromSpec } from './start-container-from-spec.js';

/**
 * Starts a PostgreSQL primary and `replicas` streaming hot standbys in containers on their own network
 * (see `postgresContainerSpecs`), waits until the primary's `pg_stat_replication` shows every standby
 * `streaming`, and returns the same {@link PostgresCluster} as `startPostgresCluster`: each node behind a
 * latency relay on 127.0.0.1 (`url`, `setLatency`, `setMode`), `directUrl` straight to the mapped port,
 * and the standbys' `pause`/`resume`/`setApplyDelay`/`waitForPosition` over SQL. `dataDir` is
 * `<container name>:<path in the container>`. `stop()` removes the containers and the network; if the
 * process dies first, testcontainers' reaper removes them.
 *
 * Needs a Docker engine and the `testcontainers` package. Throws `EdgeDbError` `CONFIG_INVALID` for bad
 * options and `TESTING_SETUP_FAILED` when the cluster does not come up before `startTimeoutMs`.
 *
 * ### Examples
 * ```ts
 * await using cluster = await startPostgresContainers({ image: 'postgres:16', replicas: 1 })
 * await cluster.replicas[0]!.pause()
 * ```
 */
export async function startPostgresContainers(
  options: PostgresContainersOptions = {},
): Promise<PostgresCluster> {
  const resolved = resolvePostgresContainersOptions(options);
  const deadline = Date.now() + resolved.startTimeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  const testcontainers = await loadTestcontainers();
  // Fail before any container starts when node-postgres, which checks the servers, is missing.
  await loadPg('startPostgresContainers()');
  const specs = postgresContainerSpecs(resolved);
  const resources = new ContainerClusterResources();
  const stop = () => resources.release('PostgreSQL test containers');

  try {
    resources.network = await new testcontainers.Network().start();
    const primaryContainer = await startContainerFromSpec(
      testcontainers,
      specs.primary,
      resources.network,
      remaining(),
    );
    resources.containers.push(primaryContainer);
    // Standbys copy the primary in parallel; each waits for its own server to accept connections.
    const standbyContainers = await Promise.all(
      specs.standbys.map(async (spec) => {
        const container = await startContainerFromSpec(testcontainers, spec, resources.network!, remaining());
        resources.containers.push(container);
        return container;
      }),
    );
    const server = async (
      name: string,
      container: typeof primaryContainer,
      dataDir: string,
    ): Promise<PostgresServer> => ({
      name,
      dataDir: `${container.getName().replace(/^\//, '')}:${dataDir}`,
      logFile: `docker logs ${container.getId().slice(0, 12)}`,
      port: await resources.loopbackPort(container, POSTGRES_CONTAINER_PORT),
    });
    const primaryServer = await server('primary', primaryContainer, POSTGRES_PRIMARY_DATA_DIR);
    const standbyServers = await Promise.all(
      standbyContainers.map((container, i) =>
        server(specs.standbys[i]!.name, container, POSTGRES_STANDBY_DATA_DIR),
      ),
    );
    await waitForStreaming(
      primaryServer.port,
      standbyServers.map((each) => each.name),
      deadline,
    );

    const primaryRelay = await resources.relayTo(
      primaryContainer,
      POSTGRES_CONTAINER_PORT,
      resolved.latencyMs,
    );
    const standbyRelays: LatencyRelay[] = [];
    for (const container of standbyContainers) {
      standbyRelays.push(await resources.relayTo(container, POSTGRES_CONTAINER_PORT, resolved.latencyMs));
    }
    const primary: PostgresPrimary = Object.assign(nodeView(primaryServer, primaryRelay, 'primary'), {
      role: 'primary' as const,
      currentPosition: () =>
        withPostgresClient(primaryServer.port, (client) =>
          readCommittedPosition(client, resolved.synchronousCommit),
        ),
    });
    const replicas = standbyServers.map((each, i) => replicaView(each, standbyRelays[i]!));
    return { primary, replicas, stop, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop().catch(() => undefined);
    if (error instanceof EdgeDbError) throw error;
    throw new EdgeDbError(
      'TESTING_SETUP_FAILED',
      `Starting the PostgreSQL test containers (image ${resolved.image}) failed: ` +
        `${error instanceof Error ? error.message : String(error)}. Check that the Docker engine can pull the ` +
        'image, or raise startTimeoutMs on a slow machine.',
      { cause: error },
    );
  }
}

async function waitForStreaming(
  primaryPort: number,
  standbys: readonly string[],
  deadline: number,
): Promise<void> {
  if (standbys.length === 0) return;
  let rows: ReplicationRow[] = [];
  const missing = await withPostgresClient(primaryPort, async (client) => {
    for (;;) {
      rows = (await client.query<ReplicationRow>(POSTGRES_STREAMING_SQL)).rows;
      const notStreaming = standbysNotStreaming(rows, standbys);
      if (notStreaming.length === 0 || Date.now() >= deadline) return notStreaming;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  if (missing.length === 0) return;
  throw new EdgeDbError(
    'TESTING_SETUP_FAILED',
    `The PostgreSQL standby containers ${missing.join(', ')} were not streaming before the start deadline; ` +
      `pg_stat_replication showed ${JSON.stringify(rows)}. See \`docker logs\` of the standby, or raise startTimeoutMs.`,
  );
}
