import type { TransactionMode } from '@libsql/client';
import { createClient as createWebClient } from '@libsql/client/web';
import {
  type CompiledQuery,
  createQueryId,
  type DatabaseConnection,
  type Driver,
  IdentifierNode,
  type QueryCompiler,
  RawNode,
  type TransactionSettings,
} from 'kysely';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { NATIVE_TRANSACTIONS } from '../driver-capabilities.js';
import { isReusableUrl, type LibsqlClientLease, LibsqlClientPool } from './libsql-client-pool.js';
import { LibsqlConnection } from './libsql-connection.js';
import type { LibsqlDialectConfig } from './libsql-dialect-config.js';
import { createReplicationIndexFetch } from './replication-index-fetch.js';

/** Default of {@link LibsqlDialectConfig.requestTimeoutMs}. */
export const DEFAULT_LIBSQL_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Kysely driver for libSQL. Clients are reused across acquires ({@link LibsqlClientPool}: created on demand,
 * returned on release, closed on `destroy`); each serves one connection at a time.
 *
 * ### Examples
 * ```ts
 * const driver = new LibsqlDriver({ url: 'http://127.0.0.1:8080' })
 * const connection = await driver.acquireConnection()
 * try {
 *   await connection.executeQuery(CompiledQuery.raw('select 1'))
 * } finally {
 *   await driver.releaseConnection(connection)
 * }
 * ```
 */
export class LibsqlDriver implements Driver {
  /** Transactions ride on the client's own interactive-transaction stream, not on SQL statements. */
  readonly [NATIVE_TRANSACTIONS] = true;
  readonly #config: LibsqlDialectConfig;
  readonly #nodeName: string;
  readonly #clients: LibsqlClientPool;
  #destroyed = false;

  constructor(config: LibsqlDialectConfig, nodeName?: string) {
    this.#config = config;
    this.#nodeName = nodeName ?? describeUrl(config.url);
    this.#clients = new LibsqlClientPool((lease) => this.#createClient(lease), isReusableUrl(config.url));
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#destroyed) {
      throw new EdgeDbError(
        'DESTROYED',
        `The libSQL driver of ${this.#nodeName} was destroyed; create a new Kysely instance.`,
      );
    }
    let lease: LibsqlClientLease;
    try {
      lease = this.#clients.acquire();
    } catch (error) {
      // createClient refuses the URL or options: a configuration mistake, not an outage.
      throw new EdgeDbError(
        'CONFIG_INVALID',
        `libsql: the client for ${this.#nodeName} could not be created: ${String((error as Error)?.message ?? error)}`,
        { cause: error },
      );
    }
    return new LibsqlConnection(lease, this.#nodeName, (released) => this.#clients.release(released));
  }

  #createClient(lease: LibsqlClientLease) {
    const { url, authToken, intMode, createClient = createWebClient } = this.#config;
    const fetch = createReplicationIndexFetch({
      tracker: lease.tracker,
      timeoutMs: this.#config.requestTimeoutMs ?? DEFAULT_LIBSQL_REQUEST_TIMEOUT_MS,
      fetch: this.#config.fetch,
      signal: () => lease.signal,
    });
    return createClient({
      url,
      fetch,
      intMode: intMode ?? 'number',
      ...(authToken === undefined ? {} : { authToken }),
    });
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    // SQLite transactions are serializable, which satisfies every isolation level Kysely can ask for.
    await asLibsql(connection).beginTransaction(transactionMode(settings));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await asLibsql(connection).commitTransaction();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await asLibsql(connection).rollbackTransaction();
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(savepointCommand('savepoint', name, compileQuery));
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(savepointCommand('rollback to', name, compileQuery));
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(savepointCommand('release', name, compileQuery));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    asLibsql(connection).close();
  }

  async destroy(): Promise<void> {
    this.#destroyed = true;
    this.#clients.close();
  }
}

/** libSQL's transaction mode for Kysely's access mode: `read` (READONLY), `write` (IMMEDIATE) or `deferred`. */
function transactionMode(settings: TransactionSettings): TransactionMode {
  if (settings.accessMode === 'read only') return 'read';
  if (settings.accessMode === 'read write') return 'write';
  return 'deferred';
}

function savepointCommand(
  command: string,
  name: string,
  compileQuery: QueryCompiler['compileQuery'],
): CompiledQuery {
  // The identifier node makes the compiler quote and escape the name.
  return compileQuery(
    RawNode.createWithChildren([RawNode.createWithSql(`${command} `), IdentifierNode.create(name)]),
    createQueryId(),
  );
}

function asLibsql(connection: DatabaseConnection): LibsqlConnection {
  if (LibsqlConnection.is(connection)) return connection;
  throw new EdgeDbError(
    'CONFIG_INVALID',
    'LibsqlDriver got a connection it did not create; pass connections back to their own driver.',
  );
}

/** A label for errors that never contains credentials. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.host === '' ? `${parsed.protocol}${parsed.pathname}` : parsed.host;
  } catch {
    return 'libsql';
  }
}
