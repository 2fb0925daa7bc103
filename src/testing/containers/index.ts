export { checkImageReference, DEFAULT_CONTAINER_IMAGES } from './container-images.js';
export type { ContainerReadiness, ContainerSpec } from './container-spec.js';
export { type DetectDockerOptions, type DockerAvailability, detectDocker } from './docker-availability.js';
export { postgresContainerSpecs, postgresServerSettings } from './postgres-container-specs.js';
export { startPostgresContainers } from './postgres-containers.js';
export {
  type PostgresContainersOptions,
  type ResolvedPostgresContainersOptions,
  resolvePostgresContainersOptions,
} from './postgres-containers-options.js';
export {
  POSTGRES_STREAMING_SQL,
  type ReplicationRow,
  standbysNotStreaming,
} from './postgres-streaming-readiness.js';
export { type ProviderSelection, type SelectProviderOptions, selectProvider } from './provider-selection.js';
export { sqldContainerSpecs } from './sqld-container-specs.js';
export { startSqldContainers } from './sqld-containers.js';
export {
  type ResolvedSqldContainersOptions,
  resolveSqldContainersOptions,
  type SqldContainersOptions,
} from './sqld-containers-options.js';
export { type LibsqlClusterWithOptions, startLibsqlClusterWith } from './start-libsql-cluster-with.js';
export { type PostgresClusterWithOptions, startPostgresClusterWith } from './start-postgres-cluster-with.js';
export { TEST_PROVIDER_ENV, type TestProvider, testProvider } from './test-provider.js';
