import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import { signalOf } from '../../consistency/query-signal.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { isSessionStatement } from '../../sql/is-session-statement.js';
import type { NeonDialectConfig } from './neon-dialect-config.js';
import type { NeonHttpBatchOptions, NeonHttpConnection } from './neon-http-connection.js';
import { NeonWebSocketConnection } from './neon-websocket-connection.js';

/** Transport a {@link NeonConnection} uses right now. */
export type NeonTransport = 'http' | 'websocket';

/**
 * The connection Kysely acquires from a {@link NeonDriver}. It picks the transport lazily, because Kysely
 * acquires a connection for every statement and a driver cannot tell a single statement from the first
 * statement of `db.connection()`:
 *
 * - Statements go over SQL over HTTP (one `fetch`, no session) until the connection needs a session:
 *   a transaction begins, a session statement runs ({@link isSessionStatement}: `SET`, `LISTEN`, temporary
 *   tables, advisory locks, cursors, ...) or rows are streamed.
 * - From then on the connection uses its WebSocket session for the rest of its life, and ends it when
 *   Kysely releases the connection.
 *
 * Consequence: inside `db.connection()`, statements before the first session statement each run in their
 * own implicit transaction on some server connection, so they cannot depend on each other's session
 * (for example `nextval` over HTTP followed by `currval`). Start such blocks with a transaction or a `SET`.
 */
export class NeonConnection implements DatabaseConnection {
  readonly #config: NeonDialectConfig;
  readonly #http: NeonHttpConnection;
  readonly #nodeName: string;
  #session: Promise<NeonWebSocketConnection> | undefined;
  #released = false;

  /** @param nodeName label for error messages (never holds credentials). */
  constructor(config: NeonDialectConfig, http: NeonHttpConnection, nodeName = 'neon') {
    this.#config = config;
    this.#http = http;
    this.#nodeName = nodeName;
  }

  /** `'websocket'` once the connection opened its session, `'http'` before. */
  get transport(): NeonTransport {
    return this.#session === undefined ? 'http' : 'websocket';
  }

  /**
   * Runs one statement. `options.signal` (what Kysely 0.29 and edge-db's router pass) cancels an HTTP
   * statement's `fetch`; a statement on the WebSocket session runs to its end (`requestTimeoutMs`), because
   * PostgreSQL cancels only through a second connection, which Neon's WebSocket proxy does not offer.
   */
  async executeQuery<R>(
    compiledQuery: CompiledQuery,
    options?: { readonly signal?: AbortSignal | undefined },
  ): Promise<QueryResult<R>> {
    this.#assertUsable();
    if (this.#session === undefined && !isSessionStatement(compiledQuery.sql)) {
      return this.#http.execute<R>(compiledQuery, signalOf(options));
    }
    const session = await this.#openSession();
    return session.execute<R>(compiledQuery);
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize = 100,
  ): AsyncIterableIterator<QueryResult<R>> {
    this.#assertUsable();
    const session = await this.#openSession();
    yield* session.stream<R>(compiledQuery, chunkSize);
  }

  /**
   * Runs `queries` as one transaction in a single HTTP request. Only while the connection has no session
   * (a batch cannot join the session's transaction): check {@link transport} first.
   */
  async executeHttpBatch(
    queries: readonly CompiledQuery[],
    options: NeonHttpBatchOptions,
  ): Promise<QueryResult<unknown>[]> {
    this.#assertUsable();
    if (this.#session !== undefined) {
      throw new EdgeDbError(
        'UNSUPPORTED',
        'an HTTP batch cannot run on a connection that has a WebSocket session.',
      );
    }
    return this.#http.executeBatch(queries, options);
  }

  /** Ends the WebSocket session, if one was opened. Called by the driver when Kysely releases the connection. */
  async release(): Promise<void> {
    this.#released = true;
    const session = this.#session;
    this.#session = undefined;
    if (session === undefined) return;
    const opened = await session.catch(() => undefined);
    await opened?.end(this.#config.connectTimeoutMs ?? 10_000);
  }

  #openSession(): Promise<NeonWebSocketConnection> {
    this.#session ??= NeonWebSocketConnection.open(this.#config, this.#nodeName);
    return this.#session;
  }

  #assertUsable(): void {
    if (this.#released) {
      throw new EdgeDbError(
        'DESTROYED',
        'this Neon connection was released. Acquire a new one through Kysely.',
      );
    }
  }
}
