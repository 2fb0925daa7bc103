export { isSessionStatement } from '../../sql/is-session-statement.js';
export { type NeonBackend, type NeonOptions, neon } from './neon-backend.js';
export { NeonConnection, type NeonTransport } from './neon-connection.js';
export { NeonDialect } from './neon-dialect.js';
export type { NeonDialectConfig } from './neon-dialect-config.js';
export { NeonDriver } from './neon-driver.js';
export { type NeonLocalProxySettings, neonLocalProxySettings } from './neon-local-proxy-settings.js';
export { NeonReplicationAdapter } from './neon-replication.js';
