import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { loadPg, type PgModule } from '../postgres/load-pg.js';
import { loadWs, type WsModule } from './load-ws.js';
import { type NeonProxyPoolOptions, NeonProxyPools } from './neon-proxy-pools.js';
import { handleSqlOverHttp } from './neon-proxy-sql-over-http.js';
import { NeonProxyWebSocketRelay } from './neon-proxy-websocket-relay.js';

/** Options of {@link startNeonProxy}. */
export interface NeonProxyOptions extends NeonProxyPoolOptions {
  /** Port to listen on (always on 127.0.0.1). @default 0 (a free port) */
  readonly port?: number;
  /**
   * Which `host:port` targets the WebSocket relay may connect to.
   * @default loopback addresses only (`127.0.0.1`, `::1`, `localhost`)
   */
  readonly isTargetAllowed?: (host: string, port: number) => boolean;
  /**
   * Where a SQL-over-HTTP request for `host:port` really goes, and the one-way latency to hold the request and
   * its reply for. Neon's proxy sits next to its database, so the long hop is caller → proxy: one round trip
   * per HTTP request, however many statements a batch has. Without a route the request goes to `host:port`
   * as given (through a cluster's latency relay, every statement of a batch then pays the relay's delay).
   * `postgresHttpRoutes(cluster)` builds routes for a `startPostgresCluster` cluster.
   */
  readonly httpRoute?: (host: string, port: number) => NeonHttpRoute | undefined;
}

/** The real target of SQL-over-HTTP requests for one `host:port`, and the caller ↔ proxy one-way latency. */
export interface NeonHttpRoute {
  readonly host: string;
  readonly port: number;
  readonly latencyMs: number;
}

/** Counters that let tests check for leaks. */
export interface NeonProxyStats {
  /** WebSocket relays (driver `Client` connections) open right now. */
  readonly openRelays: number;
  /** WebSocket relays opened since start. */
  readonly relaysOpened: number;
  /** PostgreSQL connections the SQL-over-HTTP pools hold (idle ones included). */
  readonly pooledConnections: number;
  /** HTTP requests served on `/sql` since start. */
  readonly sqlRequests: number;
}

/** A running local stand-in for Neon's proxy. */
export interface NeonProxy {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** The SQL-over-HTTP endpoint, for `neon({ fetchEndpoint })`. */
  readonly fetchEndpoint: string;
  /** The WebSocket proxy address for `neon({ wsProxy })`: `(host, port) => '127.0.0.1:PORT/v1?address=host:port'`. */
  readonly wsProxy: (host: string, port: number | string) => string;
  stats(): NeonProxyStats;
  /** Closes the relays, the pools and the server. */
  close(): Promise<void>;
}

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Starts a local server that speaks Neon's two client protocols in front of any PostgreSQL:
 * the WebSocket-to-TCP relay at `/v1?address=host:port` and SQL over HTTP at `POST /sql`
 * (`Neon-Connection-String` picks the database). `@neondatabase/serverless` cannot tell it from Neon,
 * given {@link neonLocalSettings}.
 *
 * HTTP queries run on pooled connections (one small pool per connection string), as on Neon, whose proxy
 * sits next to the database: through a latency relay an HTTP query then costs about one relay round trip
 * instead of the several a fresh PostgreSQL connection needs. WebSocket connections are never pooled:
 * each one is a fresh PostgreSQL session, as on Neon.
 *
 * ### Examples
 * ```ts
 * const proxy = await startNeonProxy()
 * const db = new Kysely<DB>({ dialect: neon(neonLocalSettings(proxy, cluster.primary.url)).dialect })
 * // ...
 * await db.destroy()
 * await proxy.close()
 * ```
 */
export async function startNeonProxy(options: NeonProxyOptions = {}): Promise<NeonProxy> {
  const { pgModule, wsModule } = await loadProxyDependencies();
  const pools = new NeonProxyPools(pgModule, options);
  const relay = new NeonProxyWebSocketRelay(wsModule, {
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    isTargetAllowed: options.isTargetAllowed ?? ((host) => loopbackHosts.has(host)),
  });
  const sockets = new Set<Socket>();
  let sqlRequests = 0;

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'POST' && path === '/sql') {
      sqlRequests += 1;
      handleSqlOverHttp(request, response, pools, options.httpRoute).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: String(error) }));
      });
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: `not found: ${request.method} ${path}` }));
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 10_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request, socket, head) => {
    // Node's HTTP server drops its own 'error' listener from an upgraded socket; until ws adds one (and for
    // refused upgrades, for good) a reset by the client would otherwise be an uncaught exception.
    socket.on('error', () => socket.destroy());
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/v1' || path === '/v2') relay.handleUpgrade(request, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) =>
      reject(
        new EdgeDbError(
          'TESTING_SETUP_FAILED',
          `the local Neon proxy could not listen: ${error.message}. Pass another port or 0.`,
          { cause: error },
        ),
      );
    server.once('error', onError);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    fetchEndpoint: `http://127.0.0.1:${port}/sql`,
    wsProxy: (host, targetPort) => `127.0.0.1:${port}/v1?address=${host}:${targetPort}`,
    stats: () => ({
      openRelays: relay.openRelays,
      relaysOpened: relay.relaysOpened,
      pooledConnections: pools.openConnections,
      sqlRequests,
    }),
    async close() {
      relay.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await Promise.all([closed, pools.close()]);
    },
  };
}

/** `pg` and `ws` are optional peers of edge-db/testing: loaded here, so projects without Neon tests need neither. */
async function loadProxyDependencies(): Promise<{ pgModule: PgModule; wsModule: WsModule }> {
  const [pgModule, wsModule] = await Promise.allSettled([
    loadPg('startNeonProxy()'),
    loadWs('startNeonProxy()'),
  ]);
  if (pgModule.status === 'fulfilled' && wsModule.status === 'fulfilled') {
    return { pgModule: pgModule.value, wsModule: wsModule.value };
  }
  if (
    pgModule.status === 'rejected' &&
    wsModule.status === 'rejected' &&
    isNotInstalled(pgModule.reason) &&
    isNotInstalled(wsModule.reason)
  ) {
    throw new EdgeDbError(
      'TESTING_SETUP_FAILED',
      'startNeonProxy() needs the packages `pg` and `ws`. Install them as dev dependencies: ' +
        '`npm install -D pg ws`.',
      { cause: new AggregateError([pgModule.reason, wsModule.reason]) },
    );
  }
  throw pgModule.status === 'rejected' ? pgModule.reason : (wsModule as PromiseRejectedResult).reason;
}

function isNotInstalled(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}
