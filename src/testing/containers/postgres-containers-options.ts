import { EdgeDbError } from '../../errors/edge-db-error.js';
import { checkIntegerOption, checkLatencyOption } from './check-option.js';
import { checkImageReference, DEFAULT_CONTAINER_IMAGES } from './container-images.js';

/**
 * Options of `startPostgresContainers`: the options of `startPostgresCluster` that make sense for
 * containers, plus the image.
 *
 * ### Examples
 * ```ts
 * await startPostgresContainers({ image: 'postgres:16-alpine', replicas: 1, latencyMs: 20 })
 * ```
 */
export interface PostgresContainersOptions {
  /**
   * Number of hot standbys streaming from the primary (0 to 8).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * The PostgreSQL image of every node (the official image or one built on it: it needs `pg_isready`,
   * `pg_basebackup` and the `/docker-entrypoint-initdb.d` hook).
   * @default 'postgres:15'
   */
  readonly image?: string;
  /**
   * Initial one-way delay of every node's relay, in milliseconds; change it per node with `setLatency`.
   * @default 0
   */
  readonly latencyMs?: number;
  /**
   * Deadline for the whole start, image pulls included, in milliseconds.
   * @default 120000
   */
  readonly startTimeoutMs?: number;
  /**
   * PostgreSQL's `synchronous_commit`; see `PostgresClusterOptions.synchronousCommit`.
   * @default true
   */
  readonly synchronousCommit?: boolean;
}

/** {@link PostgresContainersOptions} with every default applied and every value checked. */
export interface ResolvedPostgresContainersOptions {
  readonly replicas: number;
  readonly image: string;
  readonly latencyMs: number;
  readonly startTimeoutMs: number;
  readonly synchronousCommit: boolean;
}

/**
 * Applies defaults and checks every option; throws `EdgeDbError` `CONFIG_INVALID` with the option's name.
 *
 * ### Examples
 * ```ts
 * resolvePostgresContainersOptions({ replicas: 1 }).image // 'postgres:15'
 * ```
 */
export function resolvePostgresContainersOptions(
  options: PostgresContainersOptions = {},
): ResolvedPostgresContainersOptions {
  const synchronousCommit = options.synchronousCommit ?? true;
  if (typeof synchronousCommit !== 'boolean') {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `synchronousCommit must be true or false, got ${JSON.stringify(synchronousCommit)}.`,
    );
  }
  return {
    replicas: checkIntegerOption('replicas', options.replicas ?? 2, 0, 8),
    image: checkImageReference('image', options.image ?? DEFAULT_CONTAINER_IMAGES.postgres),
    latencyMs: checkLatencyOption('latencyMs', options.latencyMs ?? 0),
    startTimeoutMs: checkIntegerOption('startTimeoutMs', options.startTimeoutMs ?? 120_000, 1, 3_600_000),
    synchronousCommit,
  };
}
