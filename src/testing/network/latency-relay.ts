import { createServer, type Server, type Socket } from 'node:net';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { RelayConnection } from './relay-connection.js';
import type { RelayMode } from './relay-mode.js';

/** Options of {@link startLatencyRelay}. */
export interface LatencyRelayOptions {
  /** Host the relay forwards to. */
  readonly targetHost: string;
  /** Port the relay forwards to. */
  readonly targetPort: number;
  /**
   * Delay added to every chunk in each direction, in milliseconds (a round trip costs twice this).
   * The TCP handshake with the relay itself is not delayed.
   * @default 0
   */
  readonly latencyMs?: number;
  /**
   * Loopback address the relay listens on.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * Port the relay listens on; 0 lets the kernel pick a free one.
   * @default 0
   */
  readonly port?: number;
}

/** A running relay; see {@link startLatencyRelay}. */
export interface LatencyRelay {
  /** Address clients connect to instead of the target. */
  readonly host: string;
  /** Port clients connect to instead of the target (stays the same across mode changes). */
  readonly port: number;
  /** The current one-way delay in milliseconds. */
  readonly latencyMs: number;
  /** The current mode. */
  readonly mode: RelayMode;
  /** Changes the one-way delay for chunks read from now on; chunks in flight keep their delay. */
  setLatency(ms: number): void;
  /** Switches between healthy, crashed and hung; see {@link RelayMode}. */
  setMode(mode: RelayMode): void;
  /** Stops listening and destroys every relayed connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a TCP relay on a free loopback port that forwards to `targetHost:targetPort` and delays every
 * chunk by `latencyMs` in each direction, in user space (kernel `netem` is often unavailable), keeping byte
 * order. Its mode simulates a crashed (`'down'`) or hung (`'blackhole'`) node. It knows nothing about the
 * protocol it carries, so it fronts PostgreSQL, libSQL (HTTP) or WebSocket endpoints alike.
 *
 * ### Examples
 * ```ts
 * const relay = await startLatencyRelay({ targetHost: '127.0.0.1', targetPort: 5432, latencyMs: 40 })
 * const client = new pg.Client({ host: relay.host, port: relay.port, user: 'postgres' })
 * relay.setMode('down') // new connections: ECONNREFUSED, open ones: ECONNRESET
 * await relay.close()
 * ```
 */
export async function startLatencyRelay(options: LatencyRelayOptions): Promise<LatencyRelay> {
  const host = options.host ?? '127.0.0.1';
  let latencyMs = checkLatency(options.latencyMs ?? 0);
  let mode: RelayMode = 'up';
  let closed = false;
  const connections = new Set<RelayConnection>();
  const context = {
    targetHost: options.targetHost,
    targetPort: options.targetPort,
    latencyMs: () => latencyMs,
    isFlowing: () => mode === 'up',
    onClosed: (connection: RelayConnection) => connections.delete(connection),
  };

  // Coming back from 'down' must reuse the port clients know; a failure is kept for close() to report.
  let listenError: unknown;
  // listen() binds an IP address on the next tick, before any I/O runs, so a client that connects right
  // after setMode('up') finds the port open again.
  const open = (port: number): Server => {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket: Socket) => {
      if (mode === 'down' || closed) {
        // A refused client may still race a reset of its own: never let that reach the host process.
        socket.on('error', () => undefined);
        socket.resetAndDestroy();
      } else {
        connections.add(new RelayConnection(socket, context));
      }
    });
    server.on('error', (error) => {
      listenError ??= error;
    });
    server.listen({ host, port });
    return server;
  };

  let server: Server | undefined = open(options.port ?? 0);
  await new Promise<void>((resolve, reject) => {
    server!.once('listening', resolve);
    server!.once('error', reject);
  }).catch((error: unknown) => {
    throw new EdgeDbError(
      'TESTING_SETUP_FAILED',
      `The latency relay could not listen on ${host}:${options.port ?? 0}.`,
      {
        cause: error,
      },
    );
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') {
    server.close();
    throw new EdgeDbError(
      'TESTING_SETUP_FAILED',
      `The latency relay could not read its own port on ${host}.`,
    );
  }
  const port = address.port;

  const resetAll = (): void => {
    for (const connection of [...connections]) connection.reset();
  };

  return {
    host,
    port,
    get latencyMs() {
      return latencyMs;
    },
    get mode() {
      return mode;
    },
    setLatency(ms: number): void {
      latencyMs = checkLatency(ms);
    },
    setMode(next: RelayMode): void {
      if (next !== 'up' && next !== 'down' && next !== 'blackhole') {
        throw new EdgeDbError(
          'CONFIG_INVALID',
          `Unknown relay mode ${JSON.stringify(next)}: use 'up', 'down' or 'blackhole'.`,
        );
      }
      if (closed || next === mode) return;
      const previous = mode;
      mode = next;
      if (next === 'down') {
        server?.close();
        server = undefined;
        resetAll();
        return;
      }
      if (previous === 'down') {
        server = open(port);
        return;
      }
      for (const connection of connections) connection.resume();
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const current = server;
      server = undefined;
      resetAll();
      if (current !== undefined) await new Promise<void>((resolve) => current.close(() => resolve()));
      if (listenError !== undefined) {
        throw new EdgeDbError(
          'TESTING_SETUP_FAILED',
          `The latency relay could not listen on ${host}:${port} again after mode 'down'; another process took the port.`,
          { cause: listenError },
        );
      }
    },
  };
}

function checkLatency(ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `Relay latency must be a finite number of milliseconds >= 0, got ${String(ms)}.`,
    );
  }
  return ms;
}
