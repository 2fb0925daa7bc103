import type { ContainerSpec } from './container-spec.js';
import type { ResolvedSqldContainersOptions } from './sqld-containers-options.js';

/** The Hrana-over-HTTP port of every `sqld` node. */
export const SQLD_HTTP_PORT = 8080;
/** The primary's gRPC replication port (`--grpc-listen-addr`), reached by replicas over the cluster network. */
export const SQLD_GRPC_PORT = 5001;
/** The primary's name on the cluster network. */
export const SQLD_PRIMARY_ALIAS = 'sqld-primary';
/** The endpoint that answers 200 once a node serves requests. */
export const SQLD_HEALTH_PATH = '/health';

/**
 * The containers of a libSQL cluster from the real server image, configured the way its entrypoint
 * expects: `SQLD_NODE=primary` (which adds `--grpc-listen-addr 0.0.0.0:5001`) and `SQLD_NODE=replica`
 * with `SQLD_PRIMARY_URL=http://sqld-primary:5001`. Each is up when `GET /health` answers 2xx.
 *
 * ### Examples
 * ```ts
 * const { primary, replicas } = sqldContainerSpecs(resolveSqldContainersOptions({ replicas: 1 }))
 * replicas[0]!.environment.SQLD_PRIMARY_URL // 'http://sqld-primary:5001'
 * ```
 */
export function sqldContainerSpecs(options: ResolvedSqldContainersOptions): {
  readonly primary: ContainerSpec;
  readonly replicas: readonly ContainerSpec[];
} {
  const node = (name: string, alias: string, environment: Record<string, string>): ContainerSpec => ({
    name,
    image: options.image,
    networkAlias: alias,
    environment: { SQLD_HTTP_LISTEN_ADDR: `0.0.0.0:${SQLD_HTTP_PORT}`, ...environment },
    exposedPorts: [SQLD_HTTP_PORT],
    clientPort: SQLD_HTTP_PORT,
    files: [],
    readiness: { kind: 'http', path: SQLD_HEALTH_PATH, port: SQLD_HTTP_PORT },
  });
  return {
    primary: node('primary', SQLD_PRIMARY_ALIAS, {
      SQLD_NODE: 'primary',
      SQLD_GRPC_LISTEN_ADDR: `0.0.0.0:${SQLD_GRPC_PORT}`,
    }),
    replicas: Array.from({ length: options.replicas }, (_, i) =>
      node(`replica-${i + 1}`, `sqld-replica-${i + 1}`, {
        SQLD_NODE: 'replica',
        SQLD_PRIMARY_URL: `http://${SQLD_PRIMARY_ALIAS}:${SQLD_GRPC_PORT}`,
      }),
    ),
  };
}
