import {
  AbortedTransactionError,
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type TransactionSettings,
} from 'kysely';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { NeonConnection } from './neon-connection.js';
import type { NeonDialectConfig } from './neon-dialect-config.js';
import { routeFetchEndpoint } from './neon-fetch-endpoint.js';
import { NeonHttpConnection } from './neon-http-connection.js';

/**
 * Kysely driver for Neon: single statements over SQL over HTTP, transactions and sessions over a
 * WebSocket opened per Kysely connection and closed on release (see {@link NeonConnection}).
 * Nothing is pooled across requests, so the driver is safe in Workers, where I/O objects must not
 * outlive the request that created them.
 *
 * ### Examples
 * ```ts
 * const db = new Kysely<DB>({ dialect: new NeonDialect({ url: env.DATABASE_URL }) })
 * ```
 */
export class NeonDriver implements Driver {
  readonly #config: NeonDialectConfig;
  readonly #nodeName: string;
  readonly #connections = new Set<NeonConnection>();
  #http: NeonHttpConnection | undefined;
  #destroyed = false;

  /** @param nodeName label for error messages (defaults to the URL's host; never holds credentials). */
  constructor(config: NeonDialectConfig, nodeName?: string) {
    this.#config = config;
    this.#nodeName = nodeName ?? hostOf(config.url);
  }

  async init(): Promise<void> {
    if (this.#config.fetchEndpoint !== undefined)
      routeFetchEndpoint(this.#config.url, this.#config.fetchEndpoint);
    this.#http = new NeonHttpConnection(this.#config, this.#nodeName);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#destroyed || this.#http === undefined) {
      throw new EdgeDbError('DESTROYED', 'this Neon dialect was destroyed. Create a new Kysely instance.');
    }
    const connection = new NeonConnection(this.#config, this.#http, this.#nodeName);
    this.#connections.add(connection);
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let sql = 'start transaction';
    if (settings.isolationLevel !== undefined) sql += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode !== undefined) sql += ` ${settings.accessMode}`;
    // Transaction control is a session statement: the connection opens its WebSocket here.
    await connection.executeQuery(CompiledQuery.raw(sql));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const { rows } = await connection.executeQuery<{ command?: string }>(CompiledQuery.raw('commit'));
    // PostgreSQL answers COMMIT with a ROLLBACK tag when an earlier error aborted the transaction.
    if (rows[0]?.command === 'ROLLBACK') throw new AbortedTransactionError();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(savepointName)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await connection.executeQuery(
      CompiledQuery.raw(`rollback to savepoint ${quoteIdentifier(savepointName)}`),
    );
  }

  async releaseSavepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdentifier(savepointName)}`));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (!(connection instanceof NeonConnection)) return;
    this.#connections.delete(connection);
    await connection.release();
  }

  /** Ends every WebSocket session still open; later queries reject with `DESTROYED`. */
  async destroy(): Promise<void> {
    this.#destroyed = true;
    const open = [...this.#connections];
    this.#connections.clear();
    await Promise.allSettled(open.map((connection) => connection.release()));
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The host of a connection string, for messages; never its credentials. */
function hostOf(url: string): string {
  try {
    return new URL(`http:${url.slice(url.indexOf(':') + 1)}`).host || 'neon';
  } catch {
    return 'neon';
  }
}
