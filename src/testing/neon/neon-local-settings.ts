import type { NeonOptions } from '../../drivers/neon/index.js';
import { neonLocalProxySettings } from '../../drivers/neon/neon-local-proxy-settings.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { loadedWs } from './load-ws.js';
import type { NeonProxy } from './neon-proxy.js';

/**
 * Options for `neon()` that point the real Neon driver at a {@link NeonProxy} for the PostgreSQL node at
 * `nodeUrl` (for a test cluster: the node's relay `url`, so latency and faults apply to both transports).
 * The settings of `neonLocalProxySettings(proxy.url, nodeUrl)` from `edge-db/neon` (the workerd-safe
 * form, for Workers in local development), plus the `ws` package when the runtime has no global
 * `WebSocket` (Node 20).
 *
 * ### Examples
 * ```ts
 * const proxy = await startNeonProxy()
 * const primary = neon({ ...neonLocalSettings(proxy, cluster.primary.url), name: 'primary' })
 * ```
 */
export function neonLocalSettings(proxy: NeonProxy, nodeUrl: string): NeonOptions {
  const settings = neonLocalProxySettings(proxy.url, nodeUrl);
  if ((globalThis as { WebSocket?: unknown }).WebSocket !== undefined) return settings;
  // startNeonProxy() loaded ws in this process; a proxy from elsewhere has no WebSocket for us to lend.
  const ws = loadedWs();
  if (ws === undefined) {
    throw new EdgeDbError(
      'TESTING_SETUP_FAILED',
      'neonLocalSettings() needs a WebSocket on this runtime (Node 20 has no global one) and none was ' +
        'loaded: start the proxy with startNeonProxy() in this process, or use neonLocalProxySettings() ' +
        'from edge-db/neon with `webSocketConstructor` (`npm install -D ws`).',
    );
  }
  return { ...settings, webSocketConstructor: ws.WebSocket };
}
