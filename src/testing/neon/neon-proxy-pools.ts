import type pg from 'pg';
import type { PgModule } from '../postgres/load-pg.js';

/** Settings of the proxy's PostgreSQL connection pools (one pool per connection string). */
export interface NeonProxyPoolOptions {
  /** Connections per connection string. @default 4 */
  readonly maxConnectionsPerTarget?: number;
  /** How long an idle pooled connection stays open. @default 10_000 */
  readonly idleTimeoutMs?: number;
  /** Deadline to open a PostgreSQL connection. @default 5_000 */
  readonly connectTimeoutMs?: number;
  /** Deadline of one statement (sent as `statement_timeout` and enforced client-side). @default 30_000 */
  readonly statementTimeoutMs?: number;
}

/** Pass every value through as PostgreSQL text, the way Neon's `Neon-Raw-Text-Output: true` replies do. */
const rawTextTypes = { getTypeParser: () => (value: string) => value };

/**
 * PostgreSQL pools keyed by connection string. Neon's proxy sits next to the database and keeps
 * connections warm, so an HTTP query costs one round trip to PostgreSQL; pooling here keeps the local
 * proxy honest when the target is a latency relay (a fresh connection would cost several round trips).
 */
export class NeonProxyPools {
  readonly #pg: PgModule;
  readonly #options: Required<NeonProxyPoolOptions>;
  readonly #pools = new Map<string, pg.Pool>();

  /** `pgModule` is node-postgres, loaded when the proxy starts (it is an optional peer of `edge-db/testing`). */
  constructor(pgModule: PgModule, options: NeonProxyPoolOptions = {}) {
    this.#pg = pgModule;
    this.#options = {
      maxConnectionsPerTarget: options.maxConnectionsPerTarget ?? 4,
      idleTimeoutMs: options.idleTimeoutMs ?? 10_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      statementTimeoutMs: options.statementTimeoutMs ?? 30_000,
    };
  }

  /** The pool for `connectionString`, created on first use. */
  poolFor(connectionString: string): pg.Pool {
    let pool = this.#pools.get(connectionString);
    if (pool === undefined) {
      pool = new this.#pg.Pool({
        connectionString,
        max: this.#options.maxConnectionsPerTarget,
        idleTimeoutMillis: this.#options.idleTimeoutMs,
        connectionTimeoutMillis: this.#options.connectTimeoutMs,
        statement_timeout: this.#options.statementTimeoutMs,
        query_timeout: this.#options.statementTimeoutMs + 1_000,
        types: rawTextTypes,
        allowExitOnIdle: true,
      });
      // An idle connection that dies (node stopped, relay blackholed) must not crash the proxy.
      pool.on('error', () => {});
      this.#pools.set(connectionString, pool);
    }
    return pool;
  }

  /** True for an error PostgreSQL itself sent (node-postgres' `DatabaseError`), as opposed to a lost connection. */
  isDatabaseError(error: unknown): error is pg.DatabaseError {
    return error instanceof this.#pg.DatabaseError;
  }

  /** Connections currently open across all pools. */
  get openConnections(): number {
    let total = 0;
    for (const pool of this.#pools.values()) total += pool.totalCount;
    return total;
  }

  /** Closes every pool and its connections. */
  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.allSettled(pools.map((pool) => pool.end()));
  }
}
