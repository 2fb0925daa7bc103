export { startPostgresCluster, type PostgresCluster } from './postgres/postgres-cluster.js';
export type { PostgresClusterOptions } from './postgres/postgres-cluster-options.js';
export type { PostgresNode, PostgresPrimary, PostgresReplica } from './postgres/postgres-node.js';
export { startLatencyRelay, type LatencyRelay, type LatencyRelayOptions } from './network/latency-relay.js';
export { neonLocalSettings, type NeonProxy, type NeonProxyOptions, type NeonProxyStats, startNeonProxy } from './neon/index.js';
export {
  type LibsqlServer,
  type LibsqlServerOptions,
  type LibsqlNodeMode,
  startLibsqlServer,
  type LibsqlCluster,
  type LibsqlClusterOptions,
  type LibsqlClusterPrimary,
  type LibsqlClusterReplica,
  startLibsqlCluster,
} from './libsql/index.js';
export type { RelayMode } from './network/relay-mode.js';
export { findFreePort } from './network/find-free-port.js';
export { registerExitCleanup } from './process-cleanup.js';
export { findPostgresBinaries, type PostgresBinaries } from './postgres/postgres-binaries.js';
export * from './containers/index.js';
