export type { CacheStats } from './cache/cache-stats.js';
export type { ConsistencyMode } from './consistency/consistency-mode.js';
export { type MergeTokensOptions, mergeTokens } from './consistency/merge-tokens.js';
export { pipelinedPostgresReplication } from './consistency/pipelined-postgres-replication.js';
export { formatLsn, parseLsn } from './consistency/postgres-lsn.js';
export { postgresReplication } from './consistency/postgres-replication.js';
export type {
  NodeRole,
  PositionedResult,
  ReplicationAdapter,
  ReplicationFamily,
} from './consistency/replication-adapter.js';
export type { ReplicationPosition } from './consistency/replication-position.js';
export {
  readToken,
  type TokenCookieOptions,
  type TokenTransportOptions,
  withToken,
} from './consistency/token-transport.js';
export type { Backend } from './drivers/backend.js';
export type { Coordinates, RegionSpec, RegionTable } from './drivers/region-spec.js';
export { EdgeDbError, type EdgeDbErrorCode, isEdgeDbError } from './errors/edge-db-error.js';
export { cacheStats, invalidateCache } from './router/cluster/cache-controls.js';
export {
  configureIsolate,
  type IsolateLimits,
  resetClusterState,
} from './router/cluster/configure-isolate.js';
export type { ConsistencyConfig, EdgeDbConfig } from './router/config/edge-db-config.js';
export { edgeDb, edgeDbDialect } from './router/edge-db.js';
export type { RouteAttempt, RouteEvent, RouteReason } from './router/observe/route-event.js';
export { type ServerTimingMetric, serverTiming } from './router/observe/server-timing.js';
export { withServerTiming } from './router/observe/with-server-timing.js';
export { explainRoute, type RouteExplanation } from './router/plan/explain-route.js';
export { READ_PREFERENCES, type ReadPreference } from './router/plan/read-preference.js';
export { type RouteHint, RouteHintPlugin, route } from './router/plan/route-hint.js';
export type { HealthStatus } from './router/select/health/health-status.js';
export {
  type CallerLocation,
  type CallerLocationInput,
  type CallerLocationSource,
  detectCallerLocation,
} from './router/select/location/detect-caller-location.js';
export { greatCircleKm } from './router/select/location/great-circle-km.js';
export { resolveRegion } from './router/select/location/resolve-region.js';
export { consistencyToken, type SessionInfo, sessionInfo } from './router/session/session-token.js';
export { classifyQuery } from './sql/classify-query.js';
export { classifySql } from './sql/classify-sql.js';
export type { QueryClass, QueryClassReason } from './sql/query-class.js';
