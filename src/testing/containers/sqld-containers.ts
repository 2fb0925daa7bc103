import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { LibsqlCluster, LibsqlClusterReplica } from '../libsql/libsql-cluster.js';
import { ContainerClusterResources } from './container-cluster-resources.js';
import { loadTestcontainers } from './load-testcontainers.js';
import { SQLD_HTTP_PORT, sqldContainerSpecs } from './sqld-container-specs.js';
import { resolveSqldContainersOptions, type SqldContainersOptions } from './sqld-containers-options.js';
import { fetchReplicationIndex } from './sqld-replication-index.js';
import { startContainerFromSpec } from './start-container-from-spec.js';

/**
 * Starts the real libSQL server (`sqld`) in containers: a primary and `replicas` replica nodes that
 * replicate over gRPC on their own network, each up when `GET /health` answers. Returns the same
 * {@link LibsqlCluster} as `startLibsqlCluster`: every `url` is a latency relay on 127.0.0.1 in front of
 * the node's HTTP port (`setLatency`, `setMode`); `replicationIndex()` is the index `sqld` reports on a
 * Hrana result; `waitForIndex` polls it. `sqld` has no knob to stop a replica from applying frames while
 * it keeps serving, so `pause`, `resume`, `setPullInterval` and `restart` reject with `EdgeDbError`
 * `UNSUPPORTED`: use the process provider for lag tests, or `setMode('blackhole')` to simulate a hung node.
 *
 * ### Examples
 * ```ts
 * await using cluster = await startSqldContainers({ replicas: 1 })
 * const primary = createClient({ url: cluster.primary.url })
 * await primary.execute('create table t (x)')
 * await cluster.replicas[0]!.waitForIndex(await cluster.primary.replicationIndex())
 * ```
 */
export async function startSqldContainers(options: SqldContainersOptions = {}): Promise<LibsqlCluster> {
  const resolved = resolveSqldContainersOptions(options);
  const deadline = Date.now() + resolved.startTimeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  const testcontainers = await loadTestcontainers();
  const specs = sqldContainerSpecs(resolved);
  const resources = new ContainerClusterResources();
  const stop = () => resources.release('libSQL server test containers');

  try {
    resources.network = await new testcontainers.Network().start();
    const primaryContainer = await startContainerFromSpec(
      testcontainers,
      specs.primary,
      resources.network,
      remaining(),
    );
    resources.containers.push(primaryContainer);
    const replicaContainers = await Promise.all(
      specs.replicas.map(async (spec) => {
        const container = await startContainerFromSpec(testcontainers, spec, resources.network!, remaining());
        resources.containers.push(container);
        return container;
      }),
    );
    const primaryControl = `http://127.0.0.1:${await resources.loopbackPort(primaryContainer, SQLD_HTTP_PORT)}`;
    const primaryRelay = await resources.relayTo(primaryContainer, SQLD_HTTP_PORT, resolved.latencyMs);

    const replicas: LibsqlClusterReplica[] = [];
    for (const [i, container] of replicaContainers.entries()) {
      const name = specs.replicas[i]!.name;
      const control = `http://127.0.0.1:${await resources.loopbackPort(container, SQLD_HTTP_PORT)}`;
      const relay = await resources.relayTo(container, SQLD_HTTP_PORT, resolved.latencyMs);
      const replicationIndex = () => fetchReplicationIndex(control);
      replicas.push({
        name,
        url: `http://${relay.host}:${relay.port}`,
        wsUrl: `ws://${relay.host}:${relay.port}`,
        // sqld replicas forward writes, stream frames and wait for a requested index without a deadline.
        mode: 'forwarding',
        pullIntervalMs: 0,
        replicationWaitMs: Number.POSITIVE_INFINITY,
        setLatency: async (ms) => relay.setLatency(ms),
        setMode: async (mode) => relay.setMode(mode),
        pause: () => unsupported(name, 'pause()'),
        resume: () => unsupported(name, 'resume()'),
        setPullInterval: () => unsupported(name, 'setPullInterval()'),
        restart: () => unsupported(name, 'restart()'),
        replicationIndex,
        waitForIndex: (index, timeoutMs = 10_000) => waitForIndex(name, replicationIndex, index, timeoutMs),
      });
    }
    return {
      primary: {
        name: 'primary',
        url: `http://${primaryRelay.host}:${primaryRelay.port}`,
        wsUrl: `ws://${primaryRelay.host}:${primaryRelay.port}`,
        setLatency: (ms) => primaryRelay.setLatency(ms),
        setMode: (mode) => primaryRelay.setMode(mode),
        replicationIndex: () => fetchReplicationIndex(primaryControl),
        checkpoint: () => unsupported('primary', 'checkpoint()'),
      },
      replicas,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    if (error instanceof EdgeDbError) throw error;
    throw new EdgeDbError(
      'TESTING_SETUP_FAILED',
      `Starting the libSQL server test containers (image ${resolved.image}) failed: ` +
        `${error instanceof Error ? error.message : String(error)}. Check that the Docker engine can pull the ` +
        'image (ghcr.io), or raise startTimeoutMs on a slow machine.',
      { cause: error },
    );
  }
}

function unsupported(name: string, knob: string): Promise<never> {
  return Promise.reject(
    new EdgeDbError(
      'UNSUPPORTED',
      `${knob} is not available on ${name} of the containers provider: sqld cannot hold back replication ` +
        "while serving reads. Use provider: 'process' for lag tests, or setLatency()/setMode() on the node.",
    ),
  );
}

async function waitForIndex(
  name: string,
  current: () => Promise<bigint>,
  index: bigint,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const applied = await current();
    if (applied >= index) return;
    if (Date.now() >= deadline) {
      throw new EdgeDbError(
        'TIMEOUT',
        `${name} had applied replication index ${applied}, not ${index}, after ${timeoutMs} ms.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
