export { LibsqlAdapter } from './libsql-adapter.js';
export { type LibsqlBackendOptions, libsql } from './libsql-backend.js';
export { type IndexedQueryResult, LibsqlConnection } from './libsql-connection.js';
export { LibsqlDialect } from './libsql-dialect.js';
export type { LibsqlClientFactory, LibsqlDialectConfig, LibsqlFetch } from './libsql-dialect-config.js';
export { DEFAULT_LIBSQL_REQUEST_TIMEOUT_MS, LibsqlDriver } from './libsql-driver.js';
export { LibsqlReplicationAdapter } from './libsql-replication-adapter.js';
export { createReplicationIndexFetch, type ReplicationIndexFetchOptions } from './replication-index-fetch.js';
export { type ReplicationIndexScope, ReplicationIndexTracker } from './replication-index-tracker.js';
