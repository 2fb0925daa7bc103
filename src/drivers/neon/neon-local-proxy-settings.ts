import { EdgeDbError } from '../../errors/edge-db-error.js';

/**
 * The `neon()` options {@link neonLocalProxySettings} returns: the node's connection string and the
 * transport settings that point the Neon driver at a local proxy instead of Neon's.
 */
export interface NeonLocalProxySettings {
  readonly url: string;
  readonly fetchEndpoint: string;
  readonly wsProxy: (host: string, port: number | string) => string;
  readonly useSecureWebSocket: boolean;
  readonly pipelineConnect: false;
  readonly forceDisablePgSSL: true;
}

/**
 * `neon()` options for a PostgreSQL node behind a local Neon-compatible proxy (the one `startNeonProxy()`
 * of `edge-db/testing` starts, or any proxy with Neon's `/sql` and `/v1?address=host:port` routes), given
 * only the proxy's URL. For local development of a Worker or an edge function: `edge-db/testing` is Node
 * only, while this runs anywhere (no Node built-ins, no I/O), so the URL can come from an environment
 * binding.
 *
 * `http:` proxies get plain `ws:` (`https:` ones `wss:`); the connect is not pipelined, because local
 * servers use trust auth rather than the cleartext password the pipeline assumes; TLS inside the tunnel
 * is off. The runtime's global `WebSocket` is used (Node 20 has none: pass `webSocketConstructor` there,
 * or use `neonLocalSettings` from `edge-db/testing`). Throws `EdgeDbError` `CONFIG_INVALID` when
 * `proxyUrl` is not an `http:`/`https:` URL.
 *
 * ### Examples
 * ```ts
 * import { neon, neonLocalProxySettings } from 'edge-db/neon'
 *
 * const local = (url: string) => (env.NEON_LOCAL_PROXY ? neonLocalProxySettings(env.NEON_LOCAL_PROXY, url) : { url })
 * const primary = neon({ ...local(env.PRIMARY_URL), name: 'primary' })
 * ```
 */
export function neonLocalProxySettings(proxyUrl: string | URL, nodeUrl: string): NeonLocalProxySettings {
  let proxy: URL;
  try {
    proxy = new URL(proxyUrl);
  } catch {
    proxy = new URL('invalid:');
  }
  if ((proxy.protocol !== 'http:' && proxy.protocol !== 'https:') || proxy.host === '') {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `neonLocalProxySettings() needs the proxy's http:// or https:// URL (for example the \`url\` of ` +
        `startNeonProxy(), http://127.0.0.1:PORT), got ${JSON.stringify(String(proxyUrl))}.`,
    );
  }
  if (typeof nodeUrl !== 'string') {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      'neonLocalProxySettings() needs the node’s PostgreSQL connection string as its second argument.',
    );
  }
  // A proxy mounted under a path keeps it: http://host/neon -> http://host/neon/sql and host/neon/v1.
  const base = `${proxy.host}${proxy.pathname.replace(/\/+$/, '')}`;
  return {
    url: nodeUrl,
    fetchEndpoint: `${proxy.protocol}//${base}/sql`,
    wsProxy: (host, port) => `${base}/v1?address=${host}:${port}`,
    useSecureWebSocket: proxy.protocol === 'https:',
    pipelineConnect: false,
    forceDisablePgSSL: true,
  };
}
