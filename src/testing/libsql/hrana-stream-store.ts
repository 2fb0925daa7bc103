import { randomBytes } from 'node:crypto';
import type { ConnectionPool } from './connection-pool.js';
import type { SqliteConnection } from './sqlite-connection.js';

/**
 * The server side of one Hrana stream: its stored SQL texts, inside a transaction its connection, and on a
 * forwarding replica the primary stream it was forwarded to.
 */
export class HranaStream {
  /** SQL texts by id: per stream over HTTP, shared by a connection's streams over WebSocket. */
  readonly sqlTexts: Map<number, string>;
  /** True once the stream's requests go to the primary (after its first write). */
  forwarded = false;
  /** The baton of the primary stream this one is forwarded to (`null`: none open). */
  primaryBaton: string | null = null;
  #connection: SqliteConnection | undefined;
  #closed = false;
  readonly #pool: ConnectionPool;

  constructor(pool: ConnectionPool, sqlTexts: Map<number, string> = new Map()) {
    this.#pool = pool;
    this.sqlTexts = sqlTexts;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The stream's connection, borrowed from the pool on first use. */
  connection(): SqliteConnection {
    this.#connection ??= this.#pool.acquire();
    return this.#connection;
  }

  /** True when no transaction is open on the stream. */
  get isAutocommit(): boolean {
    return this.#connection === undefined || this.#connection.isAutocommit;
  }

  /** Gives the connection back unless a transaction is open on it. */
  releaseIdleConnection(): void {
    if (this.#connection?.isAutocommit) {
      this.#pool.release(this.#connection);
      this.#connection = undefined;
    }
  }

  /** Closes the stream, rolling back an open transaction. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#connection !== undefined) {
      const connection = this.#connection;
      this.#connection = undefined;
      this.#pool.release(connection);
    }
  }
}

interface Parked {
  readonly stream: HranaStream;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Streams waiting for their next pipeline, keyed by single-use batons. A stream not continued within the
 * idle timeout is closed (sqld uses 10 s), which rolls back its open transaction.
 */
export class HranaStreamStore {
  readonly #parked = new Map<string, Parked>();
  readonly #idleTimeoutMs: number;

  constructor(idleTimeoutMs: number) {
    this.#idleTimeoutMs = idleTimeoutMs;
  }

  /** Parks `stream` and returns the baton that continues it. */
  park(stream: HranaStream): string {
    const baton = randomBytes(18).toString('base64url');
    const timer = setTimeout(() => {
      this.#parked.delete(baton);
      stream.close();
    }, this.#idleTimeoutMs);
    timer.unref?.();
    this.#parked.set(baton, { stream, timer });
    return baton;
  }

  /** Takes the stream a baton refers to; the baton is spent. `undefined` when unknown or expired. */
  take(baton: string): HranaStream | undefined {
    const parked = this.#parked.get(baton);
    if (parked === undefined) return undefined;
    this.#parked.delete(baton);
    clearTimeout(parked.timer);
    return parked.stream;
  }

  /** Closes every parked stream. */
  closeAll(): void {
    for (const { stream, timer } of this.#parked.values()) {
      clearTimeout(timer);
      stream.close();
    }
    this.#parked.clear();
  }
}
