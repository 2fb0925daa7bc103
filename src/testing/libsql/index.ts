export {
  type LibsqlCluster,
  type LibsqlClusterOptions,
  type LibsqlClusterPrimary,
  type LibsqlClusterReplica,
  startLibsqlCluster,
} from './libsql-cluster.js';
export {
  type LibsqlNodeMode,
  type LibsqlReplicaMode,
  type LibsqlServer,
  type LibsqlServerOptions,
  startLibsqlServer,
} from './libsql-server.js';
