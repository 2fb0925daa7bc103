import type { StartedNetwork, StartedTestContainer } from 'testcontainers';
import type { ContainerSpec } from './container-spec.js';
import type { TestcontainersModule } from './load-testcontainers.js';

/**
 * Creates and starts the container a {@link ContainerSpec} describes on `network`, and waits for its own
 * readiness rule within `timeoutMs`. Internal to the containers provider.
 */
export async function startContainerFromSpec(
  testcontainers: TestcontainersModule,
  spec: ContainerSpec,
  network: StartedNetwork,
  timeoutMs: number,
): Promise<StartedTestContainer> {
  const { GenericContainer, Wait } = testcontainers;
  let container = new GenericContainer(spec.image)
    .withNetwork(network)
    .withNetworkAliases(spec.networkAlias)
    .withEnvironment({ ...spec.environment })
    .withExposedPorts(...spec.exposedPorts)
    .withLabels({ 'dev.edge-db.node': spec.name })
    .withStartupTimeout(timeoutMs)
    .withWaitStrategy(
      spec.readiness.kind === 'command'
        ? Wait.forSuccessfulCommand(spec.readiness.command)
        : Wait.forHttp(spec.readiness.path, spec.readiness.port).forStatusCodeMatching(
            (status) => status >= 200 && status < 300,
          ),
    );
  if (spec.entrypoint !== undefined) container = container.withEntrypoint([...spec.entrypoint]);
  if (spec.command !== undefined) container = container.withCommand([...spec.command]);
  if (spec.user !== undefined) container = container.withUser(spec.user);
  if (spec.files.length > 0) {
    container = container.withCopyContentToContainer(
      spec.files.map((file) => ({ content: file.content, target: file.target, mode: file.mode })),
    );
  }
  return container.start();
}
