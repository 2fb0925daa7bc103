import type { StartedNetwork, StartedTestContainer } from 'testcontainers';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { type LatencyRelay, startLatencyRelay } from '../network/latency-relay.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

/**
 * What a container cluster owns (network, containers, relays), released together by {@link release}.
 * Internal to the containers provider.
 */
export class ContainerClusterResources {
  network: StartedNetwork | undefined;
  readonly containers: StartedTestContainer[] = [];
  readonly relays: LatencyRelay[] = [];
  #releasing: Promise<void> | undefined;

  /** A latency relay on 127.0.0.1 in front of the container port's mapped host port. */
  async relayTo(
    container: StartedTestContainer,
    containerPort: number,
    latencyMs: number,
  ): Promise<LatencyRelay> {
    const relay = await startLatencyRelay({
      targetHost: container.getHost(),
      targetPort: container.getMappedPort(containerPort),
      latencyMs,
    });
    this.relays.push(relay);
    return relay;
  }

  /**
   * A port on 127.0.0.1 that reaches the container port without added delay: the mapped port itself when
   * the engine is local, else a zero-delay relay (a remote `DOCKER_HOST` maps ports on another host).
   */
  async loopbackPort(container: StartedTestContainer, containerPort: number): Promise<number> {
    const mapped = container.getMappedPort(containerPort);
    if (LOOPBACK_HOSTS.has(container.getHost())) return mapped;
    return (await this.relayTo(container, containerPort, 0)).port;
  }

  /** Closes relays, stops and removes containers (replicas first), removes the network. Idempotent. */
  release(what: string): Promise<void> {
    this.#releasing ??= (async () => {
      const relayResults = await Promise.allSettled(this.relays.map((relay) => relay.close()));
      const containerResults = await Promise.allSettled(
        [...this.containers]
          .reverse()
          .map((container) => container.stop({ remove: true, removeVolumes: true })),
      );
      const networkResults = await Promise.allSettled(
        this.network === undefined ? [] : [this.network.stop()],
      );
      const failures = [...relayResults, ...containerResults, ...networkResults].flatMap((result) =>
        result.status === 'rejected' ? [result.reason] : [],
      );
      if (failures.length > 0) {
        throw new EdgeDbError(
          'LIFECYCLE_FAILED',
          `Stopping the ${what} failed; testcontainers' reaper (Ryuk) removes what is left when this process ends.`,
          { cause: new AggregateError(failures) },
        );
      }
    })();
    return this.#releasing;
  }
}
