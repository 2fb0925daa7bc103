import type { Client, InValue, ResultSet, Transaction, TransactionMode } from '@libsql/client';
import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import type { ReplicationPosition } from '../../consistency/replication-position.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { mapLibsqlError } from './libsql-error-mapping.js';
import { toQueryResult } from './libsql-query-result.js';
import type { ReplicationIndexTracker } from './replication-index-tracker.js';

const LIBSQL_CONNECTION = Symbol.for('edge-db.libsql.connection');

/** A query result and the highest `replication_index` the responses of that one query carried. */
export interface IndexedQueryResult<R> {
  readonly result: QueryResult<R>;
  readonly index: ReplicationPosition | undefined;
}

/**
 * One Kysely connection over its own `@libsql/client` client, created on acquire and closed on release,
 * so no I/O object outlives the request that made it (Workers forbid that).
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
  readonly #client: Client;
  readonly #tracker: ReplicationIndexTracker;
  readonly #nodeName: string;
  #transaction: Transaction | undefined;

  constructor(client: Client, tracker: ReplicationIndexTracker, nodeName: string) {
    this.#client = client;
    this.#tracker = tracker;
    this.#nodeName = nodeName;
  }

  /**
   * True for connections of this driver. Works across duplicate copies of edge-db (ESM and CJS builds).
   */
  static is(connection: unknown): connection is LibsqlConnection {
    return typeof connection === 'object' && connection !== null && LIBSQL_CONNECTION in connection;
  }

  /** The highest `replication_index` any response on this connection carried (HTTP transports only). */
  get replicationIndex(): ReplicationPosition | undefined {
    return this.#tracker.highest;
  }

  /** Whether the transport can carry replication indexes (`http:`/`https:`/`libsql:` URLs). */
  get tracksReplicationIndex(): boolean {
    return this.#client.protocol === 'http';
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = { sql: compiledQuery.sql, args: compiledQuery.parameters as InValue[] };
    let resultSet: ResultSet;
    try {
      resultSet = this.#transaction
        ? await this.#transaction.execute(statement)
        : await this.#client.execute(statement);
    } catch (error) {
      throw mapLibsqlError(error, this.#nodeName);
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
  ): Promise<IndexedQueryResult<R>> {
    const scope = this.#tracker.openScope(minIndex);
    try {
      const result = await this.executeQuery<R>(compiledQuery);
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

  async commitTransaction(): Promise<void> {
    const transaction = this.#takeTransaction('commit');
    try {
      await transaction.commit();
    } catch (error) {
      throw mapLibsqlError(error, this.#nodeName);
    }
  }

  async rollbackTransaction(): Promise<void> {
    const transaction = this.#takeTransaction('roll back');
    try {
      await transaction.rollback();
    } catch (error) {
      throw mapLibsqlError(error, this.#nodeName);
    }
  }

  /** Closes any open transaction and the client. Called by the driver on release. */
  close(): void {
    this.#transaction?.close();
    this.#transaction = undefined;
    this.#client.close();
  }

  #takeTransaction(action: string): Transaction {
    const transaction = this.#transaction;
    if (!transaction) {
      throw new EdgeDbError(
        'UNSUPPORTED',
        `Cannot ${action}: no libSQL transaction is open on this connection.`,
      );
    }
    this.#transaction = undefined;
    return transaction;
  }
}
