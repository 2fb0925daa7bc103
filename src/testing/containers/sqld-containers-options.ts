import { checkIntegerOption, checkLatencyOption } from './check-option.js';
import { checkImageReference, DEFAULT_CONTAINER_IMAGES } from './container-images.js';

/**
 * Options of `startSqldContainers`.
 *
 * ### Examples
 * ```ts
 * await startSqldContainers({ replicas: 1, image: 'ghcr.io/tursodatabase/libsql-server:v0.24.32' })
 * ```
 */
export interface SqldContainersOptions {
  /**
   * Number of replica nodes (`SQLD_NODE=replica`), 0 to 8.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * The libSQL server image of every node.
   * @default 'ghcr.io/tursodatabase/libsql-server:latest'
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
}

/** {@link SqldContainersOptions} with every default applied and every value checked. */
export interface ResolvedSqldContainersOptions {
  readonly replicas: number;
  readonly image: string;
  readonly latencyMs: number;
  readonly startTimeoutMs: number;
}

/**
 * Applies defaults and checks every option; throws `EdgeDbError` `CONFIG_INVALID` with the option's name.
 *
 * ### Examples
 * ```ts
 * resolveSqldContainersOptions({}).replicas // 2
 * ```
 */
export function resolveSqldContainersOptions(
  options: SqldContainersOptions = {},
): ResolvedSqldContainersOptions {
  return {
    replicas: checkIntegerOption('replicas', options.replicas ?? 2, 0, 8),
    image: checkImageReference('image', options.image ?? DEFAULT_CONTAINER_IMAGES.sqld),
    latencyMs: checkLatencyOption('latencyMs', options.latencyMs ?? 0),
    startTimeoutMs: checkIntegerOption('startTimeoutMs', options.startTimeoutMs ?? 120_000, 1, 3_600_000),
  };
}
