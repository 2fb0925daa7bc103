import type { Client } from '@libsql/client';
import { ReplicationIndexTracker } from './replication-index-tracker.js';

/** At most this many idle clients are kept; beyond it a released client is closed. */
const MAX_IDLE_CLIENTS = 8;

/**
 * One `@libsql/client` client with the per-request state its `fetch` wrapper reads: the replication index
 * tracker and the `AbortSignal` of the statement running now. A client serves one connection at a time, so that
 * state belongs to that connection while it holds the client.
 */
export interface LibsqlClientLease {
  readonly client: Client;
  readonly tracker: ReplicationIndexTracker;
  /** The signal of the statement in flight; the `fetch` wrapper aborts its request with it. */
  signal: AbortSignal | undefined;
}

/**
 * The clients of one libSQL driver, reused across acquires instead of one `createClient` per acquire (for
 * `file:` URLs that was a database open per statement). Lifecycle: a client is created on the first acquire
 * that finds none idle, returned on release (at most {@link MAX_IDLE_CLIENTS} stay idle), and closed on
 * `close()` (the driver's `destroy`). Clients live in the driver instance, never at module scope: a Worker
 * whose Kysely instance is per request never shares them across requests. `ws:`/`wss:` clients hold a
 * socket, which Workers forbid sharing across requests: those are never kept, as before.
 *
 * ### Examples
 * ```ts
 * const pool = new LibsqlClientPool(() => createClient({ url }), true)
 * const lease = pool.acquire()
 * try { await lease.client.execute('select 1') } finally { pool.release(lease) }
 * ```
 */
export class LibsqlClientPool {
  readonly #create: (lease: LibsqlClientLease) => Client;
  readonly #idle: LibsqlClientLease[] = [];
  readonly #reusable: boolean;
  #closed = false;

  /**
   * @param create builds the client of a new lease (its `fetch` reads the lease's tracker and signal)
   * @param reusable false for transports whose client holds a socket (WebSocket)
   */
  constructor(create: (lease: LibsqlClientLease) => Client, reusable: boolean) {
    this.#create = create;
    this.#reusable = reusable;
  }

  /** An idle client, or a new one. */
  acquire(): LibsqlClientLease {
    while (this.#idle.length > 0) {
      const lease = this.#idle.pop()!;
      if (!lease.client.closed) return lease;
    }
    const lease = { tracker: new ReplicationIndexTracker(), signal: undefined } as {
      client: Client;
      tracker: ReplicationIndexTracker;
      signal: AbortSignal | undefined;
    };
    lease.client = this.#create(lease);
    return lease;
  }

  /** Takes a client back for the next acquire, or closes it (pool closed, full, or not reusable). */
  release(lease: LibsqlClientLease): void {
    lease.signal = undefined;
    if (this.#closed || !this.#reusable || lease.client.closed || this.#idle.length >= MAX_IDLE_CLIENTS) {
      lease.client.close();
      return;
    }
    this.#idle.push(lease);
  }

  /** Closes every idle client; clients still leased are closed when released. */
  close(): void {
    this.#closed = true;
    for (const lease of this.#idle.splice(0)) lease.client.close();
  }
}

/** Whether clients for `url` may be kept between acquires (no socket inside: HTTP and local files). */
export function isReusableUrl(url: string): boolean {
  return !/^wss?:/i.test(url);
}
