export { type DbSystem, dbSystemOf } from './db-system-of.js';
export { otelOnRoute } from './otel-on-route.js';
export type { OtelOnRouteOptions } from './otel-on-route-options.js';
export { routeSpanAttributes } from './route-span-attributes.js';
