export { neonLocalSettings } from './neon-local-settings.js';
export {
  type NeonHttpRoute,
  type NeonProxy,
  type NeonProxyOptions,
  type NeonProxyStats,
  startNeonProxy,
} from './neon-proxy.js';
export type { NeonProxyPoolOptions } from './neon-proxy-pools.js';
export { postgresHttpRoutes } from './postgres-http-routes.js';
