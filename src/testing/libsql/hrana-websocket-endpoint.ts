import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WebSocket, WebSocketServer } from 'ws';
import type { ConnectionPool } from './connection-pool.js';
import { cursorEntries, type HranaCursorEntry } from './hrana-cursor-entries.js';
import { HranaError, toHranaErrorBody } from './hrana-error.js';
import type { HranaPipelineHandler } from './hrana-pipeline-handler.js';
import { HranaStream } from './hrana-stream-store.js';
import type { HranaStreamRequest } from './hrana-types.js';
import type { LibsqlNodeMode } from './libsql-server-options.js';

/** Subprotocols served, best first. Only JSON encodings: `hrana3-protobuf` is not offered. */
const SUBPROTOCOLS = ['hrana3', 'hrana2', 'hrana1'] as const;

/** The `ws` package's server class (an optional peer: loaded when a server starts). */
export type WebSocketServerClass = typeof WebSocketServer;

/**
 * Loads `ws` for the WebSocket endpoint; `undefined` when it is not installed (the server then serves
 * Hrana over HTTP only and refuses upgrades).
 */
export async function loadWebSocketServer(): Promise<WebSocketServerClass | undefined> {
  try {
    const module = (await import('ws')) as {
      WebSocketServer?: WebSocketServerClass;
      default?: { WebSocketServer?: WebSocketServerClass };
    };
    return module.WebSocketServer ?? module.default?.WebSocketServer;
  } catch {
    return undefined;
  }
}

/** What the WebSocket endpoint needs from the server it runs in. */
export interface WebSocketEndpointContext {
  readonly pool: ConnectionPool;
  readonly handler: HranaPipelineHandler;
  readonly authToken: string | undefined;
  latencyMs(): number;
  mode(): LibsqlNodeMode;
}

interface StreamSlot {
  readonly stream: HranaStream;
  tail: Promise<unknown>;
}

type Message = { readonly type?: unknown; readonly [key: string]: unknown };
type Json = Record<string, unknown>;

/**
 * Hrana over WebSocket (versions 1 to 3, JSON encoding), what `@libsql/client` uses for `ws://` URLs
 * (it offers `hrana2` and `hrana1`; `libsql://` URLs mean `wss://`, so locally use `ws://`). One socket
 * carries many streams; requests of one stream run in order, streams run independently, and SQL texts
 * stored with `store_sql` are shared by the socket's streams. Cursors run their batch at once and hand
 * out its entries on `fetch_cursor`.
 */
export class HranaWebSocketEndpoint {
  readonly #context: WebSocketEndpointContext;
  readonly #server: WebSocketServer | undefined;
  readonly #sockets = new Set<WebSocket>();
  readonly #pending = new Set<Duplex>();

  constructor(context: WebSocketEndpointContext, Server: WebSocketServerClass | undefined) {
    this.#context = context;
    this.#server =
      Server === undefined
        ? undefined
        : new Server({
            noServer: true,
            handleProtocols: (offered) => SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
          });
  }

  /** Handles an HTTP upgrade request (the server's `upgrade` event). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const mode = this.#context.mode();
    // Without `ws` installed there is no WebSocket endpoint: the client sees a failed handshake.
    if (mode === 'down' || this.#server === undefined) return void socket.destroy();
    if (mode === 'blackhole') {
      // Accept the TCP connection and never answer; closeAll() ends it.
      this.#pending.add(socket);
      socket.once('close', () => this.#pending.delete(socket));
      return;
    }
    this.#server.handleUpgrade(req, socket, head, (ws) => this.#serve(ws));
  }

  /** Ends every socket (mode `down`, shutdown). */
  closeAll(): void {
    for (const ws of this.#sockets) ws.terminate();
    for (const socket of this.#pending) socket.destroy();
    this.#sockets.clear();
    this.#pending.clear();
  }

  #serve(ws: WebSocket): void {
    this.#sockets.add(ws);
    const streams = new Map<number, StreamSlot>();
    const cursors = new Map<number, { readonly streamId: number; entries: HranaCursorEntry[] }>();
    const sqlTexts = new Map<number, string>();
    let authenticated = false;
    let inbound: Promise<void> = Promise.resolve();

    const send = async (message: Json) => {
      const latency = this.#context.latencyMs();
      if (latency > 0) await sleep(latency);
      if (ws.readyState === ws.OPEN && this.#context.mode() === 'up') ws.send(JSON.stringify(message));
    };
    const ok = (requestId: unknown, response: Json) =>
      send({ type: 'response_ok', request_id: requestId, response });
    const fail = (requestId: unknown, error: unknown) =>
      send({ type: 'response_error', request_id: requestId, error: toHranaErrorBody(error) });
    const slot = (id: unknown): StreamSlot => {
      const found = streams.get(Number(id));
      if (found === undefined) throw new HranaError('PROTO_ERROR', `Stream ${String(id)} is not open`);
      return found;
    };
    // Requests of one stream run in order; a slow one (a busy retry) does not hold up other streams.
    const onStream = (id: unknown, requestId: unknown, work: (stream: HranaStream) => Promise<Json>) => {
      const target = slot(id);
      target.tail = target.tail.then(async () => {
        try {
          const response = await work(target.stream);
          target.stream.releaseIdleConnection();
          await ok(requestId, response);
        } catch (error) {
          await fail(requestId, error);
        }
      });
    };
    const runOne = async (stream: HranaStream, request: HranaStreamRequest): Promise<Json> => {
      const [result] = await this.#context.handler.run(stream, [request]);
      if (result?.type !== 'ok') {
        const error = result?.error ?? { message: 'No result', code: 'INTERNAL' };
        throw new HranaError(error.code ?? 'INTERNAL', error.message);
      }
      return result.response as unknown as Json;
    };

    const dispatch = async (message: Message) => {
      if (message.type === 'hello') {
        authenticated = this.#context.authToken === undefined || message.jwt === this.#context.authToken;
        if (authenticated) return send({ type: 'hello_ok' });
        return send({
          type: 'hello_error',
          error: {
            message: 'edge-db: missing or wrong JWT for the local libSQL server',
            code: 'UNAUTHORIZED',
          },
        });
      }
      const requestId = message.request_id;
      const request = (message.request ?? {}) as Message;
      if (message.type !== 'request') return ws.close(3003, 'Unknown message type');
      if (!authenticated) return fail(requestId, new HranaError('UNAUTHORIZED', 'Send a valid hello first'));
      try {
        switch (request.type) {
          case 'open_stream': {
            const id = Number(request.stream_id);
            if (streams.has(id)) throw new HranaError('PROTO_ERROR', `Stream ${id} is already open`);
            streams.set(id, {
              stream: new HranaStream(this.#context.pool, sqlTexts),
              tail: Promise.resolve(),
            });
            return ok(requestId, { type: 'open_stream' });
          }
          case 'close_stream': {
            const id = Number(request.stream_id);
            onStream(id, requestId, async (stream) => {
              await this.#context.handler.run(stream, [{ type: 'close' }]);
              streams.delete(id);
              return { type: 'close_stream' };
            });
            return;
          }
          case 'execute':
          case 'batch':
          case 'sequence':
          case 'describe':
          case 'get_autocommit': {
            const { stream_id: streamId, ...rest } = request;
            return onStream(streamId, requestId, (stream) => runOne(stream, rest as HranaStreamRequest));
          }
          case 'store_sql': {
            const id = Number(request.sql_id);
            if (sqlTexts.has(id)) throw new HranaError('PROTO_ERROR', `SQL text id ${id} is already in use`);
            sqlTexts.set(id, String(request.sql));
            return ok(requestId, { type: 'store_sql' });
          }
          case 'close_sql': {
            // Requests already queued may still use the text; waiting here must not hold up later messages.
            const tails = [...streams.values()].map((s) => s.tail);
            void Promise.all(tails).then(() => {
              sqlTexts.delete(Number(request.sql_id));
              return ok(requestId, { type: 'close_sql' });
            });
            return;
          }
          case 'open_cursor': {
            const cursorId = Number(request.cursor_id);
            const streamId = Number(request.stream_id);
            const cursor = { streamId, entries: [] as HranaCursorEntry[] };
            cursors.set(cursorId, cursor);
            return onStream(streamId, requestId, async (stream) => {
              try {
                cursor.entries = cursorEntries(
                  await this.#context.handler.runBatch(stream, request.batch as never),
                );
              } catch (error) {
                cursor.entries = [{ type: 'error', error: toHranaErrorBody(error) }];
              }
              return { type: 'open_cursor' };
            });
          }
          case 'fetch_cursor': {
            const cursor = cursors.get(Number(request.cursor_id));
            if (cursor === undefined) throw new HranaError('PROTO_ERROR', 'The cursor is not open');
            return onStream(cursor.streamId, requestId, async () => {
              const entries = cursor.entries.splice(0, Math.max(1, Number(request.max_count) || 1));
              return { type: 'fetch_cursor', entries, done: cursor.entries.length === 0 };
            });
          }
          case 'close_cursor':
            cursors.delete(Number(request.cursor_id));
            return ok(requestId, { type: 'close_cursor' });
          default:
            throw new HranaError('PROTO_ERROR', `Unknown request type ${JSON.stringify(request.type)}`);
        }
      } catch (error) {
        return fail(requestId, error);
      }
    };

    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(3003, 'Only text messages are accepted with JSON encoding');
      let message: Message;
      try {
        message = JSON.parse(data.toString()) as Message;
      } catch {
        return ws.close(3003, 'The message is not JSON');
      }
      inbound = inbound.then(async () => {
        const latency = this.#context.latencyMs();
        if (latency > 0) await sleep(latency);
        // A blackholed node swallows messages; a down node has closed the socket already.
        if (this.#context.mode() !== 'up') return;
        await dispatch(message);
      });
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.#sockets.delete(ws);
      for (const { stream } of streams.values()) stream.close();
      streams.clear();
      cursors.clear();
    });
  }
}
