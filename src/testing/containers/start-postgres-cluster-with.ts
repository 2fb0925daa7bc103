import { EdgeDbError } from '../../errors/edge-db-error.js';
import { type PostgresCluster, startPostgresCluster } from '../postgres/postgres-cluster.js';
import type { PostgresClusterOptions } from '../postgres/postgres-cluster-options.js';
import { startPostgresContainers } from './postgres-containers.js';
import type { PostgresContainersOptions } from './postgres-containers-options.js';
import { type SelectProviderOptions, selectProvider } from './provider-selection.js';
import { type TestProvider, testProvider } from './test-provider.js';

/**
 * Options of {@link startPostgresClusterWith}: the options of both providers plus the provider switch.
 * `binDir` and `baseDir` only mean something to processes, `image` only to containers.
 *
 * ### Examples
 * ```ts
 * const options: PostgresClusterWithOptions = { provider: 'auto', replicas: 1, image: 'postgres:16' }
 * ```
 */
export interface PostgresClusterWithOptions extends PostgresClusterOptions, SelectProviderOptions {
  /**
   * Where the cluster runs.
   * @default testProvider() — `EDGE_DB_TEST_PROVIDER`, else 'process'
   */
  readonly provider?: TestProvider;
  /** Container image (containers provider). @default 'postgres:15' */
  readonly image?: string;
}

/**
 * `startPostgresCluster` with a provider switch: local processes, containers, or `auto` (containers when
 * Docker answers). Both return the same {@link PostgresCluster}. Rejects `binDir`/`baseDir` with containers
 * and `image` with processes (`CONFIG_INVALID`), so a test that needs one provider says so.
 *
 * ### Examples
 * ```ts
 * await using cluster = await startPostgresClusterWith({ provider: 'auto', replicas: 1 })
 * ```
 */
export async function startPostgresClusterWith(
  options: PostgresClusterWithOptions = {},
): Promise<PostgresCluster> {
  const { provider = testProvider(), image, detect, detectTimeoutMs, binDir, baseDir, ...shared } = options;
  const { provider: chosen } = await selectProvider(provider, {
    ...(detect === undefined ? {} : { detect }),
    ...(detectTimeoutMs === undefined ? {} : { detectTimeoutMs }),
  });
  if (chosen === 'process') {
    if (image !== undefined) rejectOption('image', 'containers', provider);
    return startPostgresCluster({
      ...shared,
      ...(binDir === undefined ? {} : { binDir }),
      ...(baseDir === undefined ? {} : { baseDir }),
    });
  }
  if (binDir !== undefined) rejectOption('binDir', 'process', provider);
  if (baseDir !== undefined) rejectOption('baseDir', 'process', provider);
  const containerOptions: PostgresContainersOptions = {
    ...shared,
    ...(image === undefined ? {} : { image }),
  };
  return startPostgresContainers(containerOptions);
}

function rejectOption(option: string, onlyFor: string, provider: TestProvider): never {
  throw new EdgeDbError(
    'CONFIG_INVALID',
    `${option} only applies to the ${onlyFor} provider, but provider '${provider}' chose the other one. ` +
      `Remove ${option}, or set provider: '${onlyFor}'.`,
  );
}
