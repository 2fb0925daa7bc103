import { Client } from '@neondatabase/serverless';
import type { CompiledQuery, QueryResult } from 'kysely';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { NeonDialectConfig } from './neon-dialect-config.js';
import { mapNeonError } from './neon-error-mapping.js';
import { toQueryResult } from './neon-query-result.js';

let cursorCounter = 0;

/**
 * `ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] x`: PostgreSQL answers it with the tag `ROLLBACK`, yet the
 * transaction stays open. Leading whitespace and comments are skipped.
 */
const rollbackToSavepoint =
  /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*rollback(?:\s+(?:work|transaction))?\s+to\b/i;

/**
 * One PostgreSQL session over a WebSocket (`Client` of `@neondatabase/serverless`), configured per
 * instance so that no global `neonConfig` setting is touched. Opened for one Kysely connection and ended
 * when Kysely releases it: Workers forbid sharing I/O objects between requests.
 */
export class NeonWebSocketConnection {
  readonly #client: Client;
  readonly #nodeName: string;
  #inTransaction = false;
  #ended = false;
  /** Transaction status of the last ReadyForQuery ('I' idle, 'T' in a transaction, 'E' failed one). */
  #serverStatus: string | undefined;
  /** Counts ReadyForQuery messages, to tell whether a statement reported a status. */
  #readyCount = 0;

  private constructor(client: Client, nodeName: string) {
    this.#client = client;
    this.#nodeName = nodeName;
    // The server states its transaction status after every statement: the authoritative source. Command
    // tags are not (`ROLLBACK TO SAVEPOINT x` answers `ROLLBACK` and the transaction goes on).
    const connection = (client as { connection?: { on?: unknown } }).connection;
    if (typeof connection?.on === 'function') {
      (connection.on as (event: string, listener: (message: unknown) => void) => void).call(
        connection,
        'readyForQuery',
        (message: unknown) => {
          const status = (message as { status?: unknown } | undefined)?.status;
          if (typeof status !== 'string') return;
          this.#serverStatus = status;
          this.#readyCount += 1;
        },
      );
    }
  }

  /** Opens the WebSocket and the PostgreSQL session, within `connectTimeoutMs`. */
  static async open(config: NeonDialectConfig, nodeName = 'neon'): Promise<NeonWebSocketConnection> {
    const client = new Client({
      connectionString: config.url,
      connectionTimeoutMillis: config.connectTimeoutMs ?? 10_000,
      query_timeout: config.requestTimeoutMs ?? 30_000,
      ...(config.types === undefined ? {} : { types: config.types }),
    });
    const settings = client.neonConfig;
    if (config.wsProxy !== undefined) settings.wsProxy = config.wsProxy;
    if (config.webSocketConstructor !== undefined)
      settings.webSocketConstructor = config.webSocketConstructor;
    if (config.useSecureWebSocket !== undefined) settings.useSecureWebSocket = config.useSecureWebSocket;
    if (config.pipelineConnect !== undefined) settings.pipelineConnect = config.pipelineConnect;
    if (config.forceDisablePgSSL !== undefined) settings.forceDisablePgSSL = config.forceDisablePgSSL;
    // Errors of an idle socket surface on the next query; an unhandled 'error' event would crash Node.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      // Wrong password or database, unknown host: the start-up fails, and it is a configuration mistake.
      throw mapNeonError(error, nodeName);
    }
    return new NeonWebSocketConnection(client, nodeName);
  }

  /**
   * True while the session is in a transaction (failed or not), as the server's last ReadyForQuery status
   * says; from the statements' command tags when the client reports no status.
   */
  get inTransaction(): boolean {
    return this.#inTransaction;
  }

  async execute<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const readyBefore = this.#readyCount;
    try {
      const result = await this.#client.query(query.sql, [...query.parameters]);
      if (!this.#syncWithServer(readyBefore)) this.#observe(query.sql, result.command);
      return toQueryResult<R>(result);
    } catch (error) {
      // A failed statement inside a transaction leaves it open (status 'E') until ROLLBACK.
      this.#syncWithServer(readyBefore);
      throw mapNeonError(error, this.#nodeName);
    }
  }

  /**
   * Streams rows through an SQL cursor (`DECLARE ... NO SCROLL CURSOR`, `FETCH FORWARD n`), so no
   * `pg-cursor` is needed on edge runtimes. Outside a transaction it wraps the cursor in its own.
   */
  async *stream<R>(query: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) {
      throw new EdgeDbError('CONFIG_INVALID', `chunkSize must be a positive integer, got ${chunkSize}.`);
    }
    cursorCounter += 1;
    const cursor = `edge_db_cursor_${cursorCounter}`;
    const ownTransaction = !this.#inTransaction;
    let finished = false;
    if (ownTransaction) await this.#client.query('begin');
    try {
      await this.#client.query(`declare ${cursor} no scroll cursor for ${query.sql}`, [...query.parameters]);
      while (true) {
        const { rows } = await this.#client.query(`fetch forward ${chunkSize} from ${cursor}`);
        if (rows.length > 0) yield { rows: rows as R[] };
        if (rows.length < chunkSize) break;
      }
      await this.#client.query(`close ${cursor}`);
      if (ownTransaction) await this.#client.query('commit');
      finished = true;
    } finally {
      if (!finished) {
        // Stopped early or failed: drop the cursor (or the transaction we opened for it).
        const cleanup = ownTransaction ? 'rollback' : `close ${cursor}`;
        await this.#client.query(cleanup).catch(() => {});
      }
    }
  }

  /** Ends the session; destroys the socket if the server does not answer within `timeoutMs`. */
  async end(timeoutMs: number): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), timeoutMs);
    });
    try {
      const outcome = await Promise.race([this.#client.end().then(() => 'ended' as const), expired]);
      if (outcome === 'expired') this.#client.connection.stream.destroy();
    } catch {
      this.#client.connection.stream.destroy();
    } finally {
      clearTimeout(timer);
    }
  }

  /** Takes the transaction state from a ReadyForQuery received since `readyBefore`; false when none came. */
  #syncWithServer(readyBefore: number): boolean {
    if (this.#readyCount === readyBefore || this.#serverStatus === undefined) return false;
    this.#inTransaction = this.#serverStatus !== 'I';
    return true;
  }

  /** Fallback when the client reports no ReadyForQuery status: infer the state from the command tag. */
  #observe(sql: string, command: string): void {
    if (command === 'BEGIN' || command === 'START TRANSACTION') this.#inTransaction = true;
    else if (command === 'COMMIT' || (command === 'ROLLBACK' && !rollbackToSavepoint.test(sql))) {
      this.#inTransaction = false;
    }
  }
}
