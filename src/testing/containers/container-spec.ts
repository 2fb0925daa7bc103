/**
 * How the containers provider decides that one container is up, before any cluster-wide check.
 *
 * - `command`: a shell command run inside the container (`/bin/sh -c`) exits 0.
 * - `http`: `GET path` on the container port answers with a 2xx status.
 *
 * ### Examples
 * ```ts
 * const ready: ContainerReadiness = { kind: 'http', path: '/health', port: 8080 }
 * ```
 */
export type ContainerReadiness =
  | { readonly kind: 'command'; readonly command: string }
  | { readonly kind: 'http'; readonly path: string; readonly port: number };

/**
 * Everything the containers provider passes to Docker for one container, as plain data so it can be
 * checked without Docker. `startContainerFromSpec` turns it into a testcontainers `GenericContainer`.
 *
 * ### Examples
 * ```ts
 * const { primary } = postgresContainerSpecs(resolvePostgresContainersOptions({ replicas: 1 }))
 * primary.command // ['postgres', '-c', 'wal_level=replica', ...]
 * ```
 */
export interface ContainerSpec {
  /** `primary`, `replica-1`, ...: the node name the cluster reports. */
  readonly name: string;
  readonly image: string;
  /** The name other containers on the cluster network reach this one by. */
  readonly networkAlias: string;
  /** Replaces the image's entrypoint when set. */
  readonly entrypoint?: readonly string[];
  /** Replaces the image's command when set. */
  readonly command?: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  /** Container ports published on random host ports. */
  readonly exposedPorts: readonly number[];
  /** The container port clients use (its mapped host port is fronted by a latency relay). */
  readonly clientPort: number;
  /** Account the main process runs as, when not the image's default. */
  readonly user?: string;
  /** Files written into the container before it starts. */
  readonly files: readonly { readonly target: string; readonly content: string; readonly mode: number }[];
  readonly readiness: ContainerReadiness;
}
