import WebSocket from 'ws';
import type { NeonOptions } from '../../drivers/neon/neon-backend.js';
import type { NeonProxy } from './neon-proxy.js';

/**
 * Options for `neon()` that point the real Neon driver at a {@link NeonProxy} for the PostgreSQL node at
 * `nodeUrl` (for a test cluster: the node's relay `url`, so latency and faults apply to both transports).
 * Plain `ws:`, no pipelined connect (local nodes use trust auth, not cleartext passwords), and the `ws`
 * package when the runtime has no global `WebSocket` (Node 20).
 *
 * ### Examples
 * ```ts
 * const proxy = await startNeonProxy()
 * const primary = neon({ ...neonLocalSettings(proxy, cluster.primary.url), name: 'primary' })
 * ```
 */
export function neonLocalSettings(proxy: NeonProxy, nodeUrl: string): NeonOptions {
  const globalWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;
  return {
    url: nodeUrl,
    fetchEndpoint: proxy.fetchEndpoint,
    wsProxy: proxy.wsProxy,
    useSecureWebSocket: false,
    pipelineConnect: false,
    forceDisablePgSSL: true,
    ...(globalWebSocket === undefined ? { webSocketConstructor: WebSocket } : {}),
  };
}
