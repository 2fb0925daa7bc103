import type { Client, InValue, ResultSet, Transaction, TransactionMode } from '@libsql/client';
import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import type { ReplicationPosition } from '../../consistency/replication-position.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { LibsqlClientLease } from './libsql-client-pool.js';
import { mapLibsqlError } from './libsql-error-mapping.js';
import { toQueryResult } from './libsql-query-result.js';
import type { ReplicationIndexScope } from './replication-index-tracker.js';

const LIBSQL_CONNECTION = Symbol.for('edge-db.libsql.connection');

/** A query result and the highest `replication_index` the responses of that one query carried. */
export interface IndexedQueryResult<R> {
  readonly result: QueryResult<R>;
  readonly index: ReplicationPosition | undefined;
}

/**
 * One Kysely connection over a `@libsql/client` client leased from its driver for as long as Kysely holds the
 * connection, and handed back on release (see `LibsqlClientPool`).
 *
 * Statements run on the open libSQL interactive transaction when there is one, else each on its own.
 *
 * ### Examples
 * ```ts
 * const connection = await driver.acquireConnection()
 * if (LibsqlConnection.is(connection)) console.log(connection.replicationIndex)
 * ```
 */
export class LibsqlConnection implements DatabaseConnection {
  readonly [LIBSQL_CONNECTION] = true;
  readonly #lease: LibsqlClientLease;
  readonly #client: Client;
  readonly #nodeName: string;
  readonly #onClose: (lease: LibsqlClientLease) => void;
  /** Collects the indexes responses carried while this connection holds the client. */
  readonly #seen: ReplicationIndexScope;
  #transaction: Transaction | undefined;
  #closed = false;

  /** @param onClose hands the client back to its driver when the connection is released */
  constructor(lease: LibsqlClientLease, nodeName: string, onClose: (lease: LibsqlClientLease) => void) {
    this.#lease = lease;
    this.#client = lease.client;
    this.#nodeName = nodeName;
    this.#onClose = onClose;
    this.#seen = lease.tracker.openScope();
  }

  /**
   * True for connections of this driver. Works across duplicate copies of edge-db (ESM and CJS builds).
   */
  static is(connection: unknown): connection is LibsqlConnection {
    return typeof connection === 'object' && connection !== null && LIBSQL_CONNECTION in connection;
  }

  /** The highest `replication_index` any response on this connection carried (HTTP transports only). */
  get replicationIndex(): ReplicationPosition | undefined {
    return this.#seen.observed;
  }

  /** Whether the transport can carry replication indexes (`http:`/`https:`/`libsql:` URLs). */
  get tracksReplicationIndex(): boolean {
    return this.#client.protocol === 'http';
  }

  /**
   * Runs one statement. `options.signal` (what Kysely 0.29 and edge-db's router pass) aborts its HTTP
   * request; over `file:` the statement runs synchronously in the engine and cannot be cancelled.
   */
  async executeQuery<R>(
    compiledQuery: CompiledQuery,
    options?: { readonly signal?: AbortSignal | undefined },
  ): Promise<QueryResult<R>> {
    const statement = { sql: compiledQuery.sql, args: compiledQuery.parameters as InValue[] };
    const signal = options?.signal;
    if (signal?.aborted) throw signal.reason;
    let resultSet: ResultSet;
    this.#lease.signal = signal instanceof AbortSignal ? signal : undefined;
    try {
      resultSet = this.#transaction
        ? await this.#transaction.execute(statement)
        : await this.#client.execute(statement);
    } catch (error) {
      throw mapLibsqlError(error, this.#nodeName);
    } finally {
      this.#lease.signal = undefined;
    }
    return toQueryResult<R>(resultSet, compiledQuery.query);
  }

  /**
   * Runs one query whose requests carry `minIndex` (when given) and returns the highest index its
   * responses carried.
   */
  async executeWithIndex<R>(
    compiledQuery: CompiledQuery,
    minIndex?: ReplicationPosition,
    signal?: AbortSignal,
  ): Promise<IndexedQueryResult<R>> {
    const scope = this.#lease.tracker.openScope(minIndex);
    try {
      const result = await this.executeQuery<R>(compiledQuery, { signal });
      return { result, index: scope.observed };
    } finally {
      scope.close();
    }
  }

  // biome-ignore lint/correctness/useYield: streaming is refused before the first row on purpose.
  async *streamQuery<R>(
    _compiledQuery: CompiledQuery,
    _chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    throw new EdgeDbError(
      'UNSUPPORTED',
      'libSQL over HTTP has no cursors, so edge-db/libsql cannot stream without buffering the whole result. ' +
        'Use .execute() with limit/offset or keyset pagination instead of .stream().',
    );
  }

  /** Opens a libSQL interactive transaction; BEGIN travels with its first statement. */
  async beginTransaction(mode: TransactionMode): Promise<void> {
    if (this.#transaction) {
      throw new EdgeDbError(
        'UNSUPPORTED',
        'A libSQL transaction is already open on this connection; nest with savepoints.',
      );
    }
    try {
      this.#transaction = await this.#client.transaction(mode);
    } catch (error) {
      throw mapLibsqlError(error, this.#nodeName);
    }
  }

  /**
   * Commits. A COMMIT that fails (a deferred constraint) leaves the transaction open, as SQLite does, so the
   * rollback Kysely sends next ends it and the caller sees SQLite's error, not one about a missing transaction.
   */
  async commitTransaction(): Promise<void> {
    const transaction = this.#openTransaction('commit');
    try {
      await transaction.commit();
    } catch (error) {
      throw mapLibsqlError(error, this.#nodeName);
    }
    this.#transaction = undefined;
  }

  async rollbackTransaction(): Promise<void> {
    const transaction = this.#openTransaction('roll back');
    this.#transaction = undefined;
    try {
      await transaction.rollback();
    } catch (error) {
      throw mapLibsqlError(error, this.#nodeName);
    } finally {
      // A rollback that failed (the stream is gone) must not leave the client's transaction behind.
      transaction.close();
    }
  }

  /** Closes any open transaction and hands the client back. Called by the driver on release. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#transaction?.close();
    this.#transaction = undefined;
    this.#seen.close();
    this.#onClose(this.#lease);
  }

  #openTransaction(action: string): Transaction {
    const transaction = this.#transaction;
    if (!transaction) {
      throw new EdgeDbError(
        'UNSUPPORTED',
        `Cannot ${action}: no libSQL transaction is open on this connection.`,
      );
    }
    return transaction;
  }
}
