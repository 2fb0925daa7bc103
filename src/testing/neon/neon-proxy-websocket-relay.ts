import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { WsModule } from './load-ws.js';

/**
 * Neon's WebSocket proxy, reduced to what the driver needs: `GET /v1?address=host:port` upgrades to a
 * WebSocket whose binary frames are piped to a TCP connection to `host:port` and back. The driver speaks
 * the PostgreSQL protocol through it, exactly as it does through Neon's proxy.
 */
export class NeonProxyWebSocketRelay {
  readonly #server: WebSocketServer;
  readonly #connectTimeoutMs: number;
  readonly #isTargetAllowed: (host: string, port: number) => boolean;
  readonly #sockets = new Set<Socket>();
  #opened = 0;

  /** `ws` is the `ws` package, loaded when the proxy starts (it is an optional peer of `edge-db/testing`). */
  constructor(
    ws: WsModule,
    options: {
      readonly connectTimeoutMs: number;
      readonly isTargetAllowed: (host: string, port: number) => boolean;
    },
  ) {
    this.#server = new ws.WebSocketServer({ noServer: true, perMessageDeflate: false });
    this.#connectTimeoutMs = options.connectTimeoutMs;
    this.#isTargetAllowed = options.isTargetAllowed;
  }

  /** Relays open right now (one per driver connection). */
  get openRelays(): number {
    return this.#sockets.size;
  }

  /** Relays opened since start. */
  get relaysOpened(): number {
    return this.#opened;
  }

  /** Handles an HTTP upgrade for `/v1`; refuses bad targets with an HTTP error before upgrading. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const target = parseAddress(url.searchParams.get('address'));
    if (target === undefined || !this.#isTargetAllowed(target.host, target.port)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      return;
    }
    this.#server.handleUpgrade(request, socket, head, (webSocket) => this.#relay(webSocket, target));
  }

  #relay(webSocket: WebSocket, target: { host: string; port: number }): void {
    const tcp = connect({ host: target.host, port: target.port, noDelay: true });
    this.#sockets.add(tcp);
    this.#opened += 1;
    const connectTimer = setTimeout(() => tcp.destroy(new Error('connect timeout')), this.#connectTimeoutMs);
    // Frames that arrive before the TCP connection is up are queued by the socket itself.
    tcp.once('connect', () => clearTimeout(connectTimer));
    tcp.on('data', (chunk) => {
      if (webSocket.readyState === webSocket.OPEN) webSocket.send(chunk, { binary: true });
    });
    tcp.on('error', () => {});
    tcp.on('close', () => {
      clearTimeout(connectTimer);
      this.#sockets.delete(tcp);
      if (webSocket.readyState === webSocket.OPEN || webSocket.readyState === webSocket.CONNECTING) {
        webSocket.close();
      }
    });
    webSocket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (!tcp.destroyed) tcp.write(chunk);
    });
    webSocket.on('error', () => tcp.destroy());
    webSocket.on('close', () => tcp.end());
  }

  /** Closes every relay. */
  close(): void {
    for (const client of this.#server.clients) client.terminate();
    for (const socket of this.#sockets) socket.destroy();
    this.#server.close();
  }
}

function parseAddress(address: string | null): { host: string; port: number } | undefined {
  if (address === null) return undefined;
  const separator = address.lastIndexOf(':');
  if (separator <= 0) return undefined;
  const host = address.slice(0, separator).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(separator + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) return undefined;
  return { host, port };
}
