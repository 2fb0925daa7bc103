export type { CacheStats } from './cache/cache-stats.js';
export type { ConsistencyMode } from './consistency/consistency-mode.js';
export { mergeTokens } from './consistency/merge-tokens.js';
export { formatLsn, parseLsn } from './consistency/postgres-lsn.js';
export { postgresReplication } from './consistency/postgres-replication.js';
export type {
  NodeRole,
  PositionedResult,
  ReplicationAdapter,
  ReplicationFamily,
} from './consistency/replication-adapter.js';
export type { ReplicationPosition } from './consistency/replication-position.js';
export { consistencyToken, type SessionInfo, sessionInfo } from './consistency/session-token.js';
export {
  readToken,
  type TokenCookieOptions,
  type TokenTransportOptions,
  withToken,
} from './consistency/token-transport.js';
export { EdgeDbError, type EdgeDbErrorCode, isEdgeDbError } from './errors/edge-db-error.js';
export type { Backend } from './router/backend.js';
export { cacheStats, invalidateCache } from './router/cache-controls.js';
export { classifyQuery } from './router/classify-query.js';
export { classifySql } from './router/classify-sql.js';
export { resetClusterState } from './router/cluster-state.js';
export { edgeDb } from './router/edge-db.js';
export type { ConsistencyConfig, EdgeDbConfig } from './router/edge-db-config.js';
export { explainRoute, type RouteExplanation } from './router/explain-route.js';
export type { HealthStatus } from './router/health/health-status.js';
export type { Coordinates, RegionSpec } from './router/location/coordinates.js';
export {
  type CallerLocation,
  type CallerLocationInput,
  type CallerLocationSource,
  detectCallerLocation,
} from './router/location/detect-caller-location.js';
export { greatCircleKm } from './router/location/great-circle-km.js';
export { knownRegionCodes, lookupRegion } from './router/location/region-table.js';
export { resolveRegion } from './router/location/resolve-region.js';
export type { QueryClass, QueryClassReason } from './router/query-class.js';
export { READ_PREFERENCES, type ReadPreference } from './router/read-preference.js';
export type { RouteAttempt, RouteEvent, RouteReason } from './router/route-event.js';
export { type RouteHint, RouteHintPlugin, route } from './router/route-hint.js';
export { type ServerTimingMetric, serverTiming } from './router/selection/server-timing.js';
export { withServerTiming } from './router/selection/with-server-timing.js';
