export { edgeDbMiddleware } from './edge-db-middleware.js';
export type { EdgeDbEnv, EdgeDbMiddlewareOptions, EdgeDbVariables } from './edge-db-middleware-options.js';
