import { EdgeDbError } from '../../errors/edge-db-error.js';
import {
  type LibsqlCluster,
  type LibsqlClusterOptions,
  startLibsqlCluster,
} from '../libsql/libsql-cluster.js';
import { type SelectProviderOptions, selectProvider } from './provider-selection.js';
import { startSqldContainers } from './sqld-containers.js';
import type { SqldContainersOptions } from './sqld-containers-options.js';
import { type TestProvider, testProvider } from './test-provider.js';

/** Options of the process test bed that the `sqld` containers cannot honour. */
const PROCESS_ONLY = [
  'authToken',
  'replicaMode',
  'pullIntervalMs',
  'checkpointFrames',
  'keepGenerations',
  'replicationWaitMs',
  'streamIdleTimeoutMs',
  'baseDir',
] as const;

/**
 * Options of {@link startLibsqlClusterWith}: the options of both providers plus the provider switch.
 *
 * ### Examples
 * ```ts
 * const options: LibsqlClusterWithOptions = { provider: 'containers', replicas: 1 }
 * ```
 */
export interface LibsqlClusterWithOptions extends LibsqlClusterOptions, SelectProviderOptions {
  /**
   * Where the cluster runs: the Node test bed (`process`) or the real `sqld` image (`containers`).
   * @default testProvider() — `EDGE_DB_TEST_PROVIDER`, else 'process'
   */
  readonly provider?: TestProvider;
  /** Container image (containers provider). @default 'ghcr.io/tursodatabase/libsql-server:latest' */
  readonly image?: string;
  /** Deadline of a container start, image pulls included (containers provider). @default 120000 */
  readonly startTimeoutMs?: number;
}

/**
 * `startLibsqlCluster` with a provider switch: the Node test bed, real `sqld` containers, or `auto`
 * (containers when Docker answers). Both return the same {@link LibsqlCluster}; on containers the
 * replicas' `pause`, `resume`, `setPullInterval` and `restart` reject with `UNSUPPORTED`. Options one
 * provider cannot honour are rejected with `CONFIG_INVALID` instead of being ignored.
 *
 * ### Examples
 * ```ts
 * await using cluster = await startLibsqlClusterWith({ provider: testProvider(), replicas: 1 })
 * ```
 */
export async function startLibsqlClusterWith(options: LibsqlClusterWithOptions = {}): Promise<LibsqlCluster> {
  const { provider = testProvider(), image, startTimeoutMs, detect, detectTimeoutMs, ...rest } = options;
  const { provider: chosen } = await selectProvider(provider, {
    ...(detect === undefined ? {} : { detect }),
    ...(detectTimeoutMs === undefined ? {} : { detectTimeoutMs }),
  });
  if (chosen === 'process') {
    if (image !== undefined) rejectOption('image', 'containers', provider);
    if (startTimeoutMs !== undefined) rejectOption('startTimeoutMs', 'containers', provider);
    return startLibsqlCluster(rest);
  }
  for (const option of PROCESS_ONLY) {
    if (rest[option] !== undefined) rejectOption(option, 'process', provider);
  }
  const containerOptions: SqldContainersOptions = {
    ...(rest.replicas === undefined ? {} : { replicas: rest.replicas }),
    ...(rest.latencyMs === undefined ? {} : { latencyMs: rest.latencyMs }),
    ...(image === undefined ? {} : { image }),
    ...(startTimeoutMs === undefined ? {} : { startTimeoutMs }),
  };
  return startSqldContainers(containerOptions);
}

function rejectOption(option: string, onlyFor: string, provider: TestProvider): never {
  throw new EdgeDbError(
    'CONFIG_INVALID',
    `${option} only applies to the ${onlyFor} provider, but provider '${provider}' chose the other one. ` +
      `Remove ${option}, or set provider: '${onlyFor}'.`,
  );
}
