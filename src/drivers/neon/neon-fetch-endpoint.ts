import { neonConfig } from '@neondatabase/serverless';

type EndpointOption = string | ((host: string, port: number | string) => string);
type Dispatcher = (host: string, port: number | string, options?: { jwtAuth?: boolean }) => string;

const routes = new Map<string, EndpointOption>();
let installed: Dispatcher | undefined;

/**
 * The `host:port` key the Neon driver passes to `fetchEndpoint` for a connection string: it parses the
 * URL as `http:` so a missing port is the empty string.
 */
export function endpointKeyOf(url: string): string {
  const schemeEnd = url.indexOf(':');
  const parsed = new URL(`http:${url.slice(schemeEnd + 1)}`);
  return `${parsed.hostname}:${parsed.port}`;
}

/**
 * Sends SQL-over-HTTP requests for the connection string `url` to `endpoint`.
 *
 * `@neondatabase/serverless` 1.x reads `fetchEndpoint` only from its global `neonConfig`. To keep the
 * effect local, one dispatcher is installed there (on first use, never at import): hosts registered here
 * get their endpoint, all others the endpoint that was configured before. If the application later
 * replaces `neonConfig.fetchEndpoint`, the dispatcher is installed again on the next registration.
 */
export function routeFetchEndpoint(url: string, endpoint: EndpointOption): void {
  routes.set(endpointKeyOf(url), endpoint);
  if (neonConfig.fetchEndpoint === installed) return;
  const previous = neonConfig.fetchEndpoint;
  const dispatcher: Dispatcher = (host, port, options) => {
    const route = routes.get(`${host}:${port}`);
    if (route !== undefined) return typeof route === 'function' ? route(host, port) : route;
    return typeof previous === 'function' ? previous(host, port, options) : previous;
  };
  installed = dispatcher;
  neonConfig.fetchEndpoint = dispatcher;
}
