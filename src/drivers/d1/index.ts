export { type D1BackendOptions, d1 } from './d1-backend.js';
export { D1_BATCH, type D1BatchQuery, type D1BatchResults, d1Batch, isD1Batch } from './d1-batch.js';
export type {
  D1DatabaseLike,
  D1MetaLike,
  D1PreparedStatementLike,
  D1ResultLike,
  D1SessionLike,
} from './d1-binding.js';
export { bookmarkPosition, newerBookmark } from './d1-bookmark.js';
export { D1Connection } from './d1-connection.js';
export { D1Dialect, type D1DialectConfig } from './d1-dialect.js';
export { D1Driver } from './d1-driver.js';
export { d1QueryResult } from './d1-query-result.js';
export { D1ReplicationAdapter } from './d1-replication-adapter.js';
export type { D1SessionConstraint } from './d1-session-state.js';
