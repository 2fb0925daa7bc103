export * from './containers/index.js';
export {
  type LibsqlCluster,
  type LibsqlClusterOptions,
  type LibsqlClusterPrimary,
  type LibsqlClusterReplica,
  type LibsqlNodeMode,
  type LibsqlReplicaMode,
  type LibsqlServer,
  type LibsqlServerOptions,
  startLibsqlCluster,
  startLibsqlServer,
} from './libsql/index.js';
export {
  type NeonHttpRoute,
  type NeonProxy,
  type NeonProxyOptions,
  type NeonProxyStats,
  neonLocalSettings,
  postgresHttpRoutes,
  startNeonProxy,
} from './neon/index.js';
export { findFreePort } from './network/find-free-port.js';
export { type LatencyRelay, type LatencyRelayOptions, startLatencyRelay } from './network/latency-relay.js';
export type { RelayMode } from './network/relay-mode.js';
export { findPostgresBinaries, type PostgresBinaries } from './postgres/postgres-binaries.js';
export { type PostgresCluster, startPostgresCluster } from './postgres/postgres-cluster.js';
export type { PostgresClusterOptions } from './postgres/postgres-cluster-options.js';
export type { PostgresNode, PostgresPrimary, PostgresReplica } from './postgres/postgres-node.js';
export { registerExitCleanup } from './process-cleanup.js';
