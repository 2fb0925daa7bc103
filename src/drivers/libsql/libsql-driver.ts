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
import { LibsqlConnection } from './libsql-connection.js';
import type { LibsqlDialectConfig } from './libsql-dialect-config.js';
import { createReplicationIndexFetch } from './replication-index-fetch.js';
import { ReplicationIndexTracker } from './replication-index-tracker.js';

/** Default of {@link LibsqlDialectConfig.requestTimeoutMs}. */
export const DEFAULT_LIBSQL_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Kysely driver for libSQL. No pool: every acquired connection gets a fresh client (cheap, no I/O until the
 * first statement) that is closed on release.
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
  #destroyed = false;

  constructor(config: LibsqlDialectConfig, nodeName?: string) {
    this.#config = config;
    this.#nodeName = nodeName ?? describeUrl(config.url);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#destroyed) {
      throw new EdgeDbError(
        'DESTROYED',
        `The libSQL driver of ${this.#nodeName} was destroyed; create a new Kysely instance.`,
      );
    }
    const { url, authToken, intMode, createClient = createWebClient } = this.#config;
    const tracker = new ReplicationIndexTracker();
    const fetch = createReplicationIndexFetch({
      tracker,
      timeoutMs: this.#config.requestTimeoutMs ?? DEFAULT_LIBSQL_REQUEST_TIMEOUT_MS,
      fetch: this.#config.fetch,
    });
    const client = createClient({
      url,
      fetch,
      intMode: intMode ?? 'number',
      ...(authToken === undefined ? {} : { authToken }),
    });
    return new LibsqlConnection(client, tracker, this.#nodeName);
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
