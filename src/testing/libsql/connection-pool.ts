import { SqliteConnection } from './sqlite-connection.js';
import { openEngineConnection } from './sqlite-engine.js';

/**
 * Idle SQLite connections of one server. A stream borrows a connection for a pipeline and keeps it only
 * while a transaction is open, so interactive transactions hold their own connection and autocommit
 * streams share a few.
 */
export class ConnectionPool {
  readonly #path: string;
  readonly #queryOnly: boolean;
  readonly #maxIdle: number;
  readonly #idle: SqliteConnection[] = [];
  readonly #all = new Set<SqliteConnection>();

  constructor(path: string, options: { readonly queryOnly: boolean; readonly maxIdle?: number }) {
    this.#path = path;
    this.#queryOnly = options.queryOnly;
    this.#maxIdle = options.maxIdle ?? 4;
  }

  acquire(): SqliteConnection {
    const idle = this.#idle.pop();
    if (idle !== undefined) return idle;
    const connection = new SqliteConnection(openEngineConnection(this.#path, { queryOnly: this.#queryOnly }));
    this.#all.add(connection);
    return connection;
  }

  release(connection: SqliteConnection): void {
    try {
      connection.rollbackIfOpen();
    } catch {
      this.#retire(connection);
      return;
    }
    if (connection.reusable && this.#idle.length < this.#maxIdle) {
      this.#idle.push(connection);
    } else {
      this.#retire(connection);
    }
  }

  #retire(connection: SqliteConnection): void {
    this.#all.delete(connection);
    try {
      connection.close();
    } catch {
      // A connection that cannot close cleanly is dropped; the engine frees it when collected.
    }
  }

  /** True while any connection is inside a transaction (a checkpoint must wait for it). */
  anyInTransaction(): boolean {
    for (const connection of this.#all) if (!connection.isAutocommit) return true;
    return false;
  }

  /** Closes every connection, borrowed or idle. */
  closeAll(): void {
    for (const connection of this.#all) {
      try {
        connection.close();
      } catch {
        // Closing is best effort during shutdown.
      }
    }
    this.#all.clear();
    this.#idle.length = 0;
  }
}
