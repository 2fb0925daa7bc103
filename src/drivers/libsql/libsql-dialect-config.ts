import type { Client, Config, IntMode } from '@libsql/client';

/**
 * Creates a `@libsql/client` client. Both `createClient` from `@libsql/client/web` (the default) and from
 * `@libsql/client` (Node, needed for `file:` URLs) fit.
 *
 * ### Examples
 * ```ts
 * import { createClient } from '@libsql/client'
 *
 * const dialect = new LibsqlDialect({ url: 'file:/tmp/app.db', createClient })
 * ```
 */
export type LibsqlClientFactory = (config: Config) => Client;

/**
 * A `fetch`-compatible function. The libSQL HTTP transport calls it with one `Request`; edge-db adds a
 * `RequestInit` carrying the request's deadline.
 */
export type LibsqlFetch = (input: Request, init?: RequestInit) => Promise<Response>;

/**
 * Configuration of a {@link LibsqlDialect}.
 *
 * ### Examples
 * ```ts
 * const dialect = new LibsqlDialect({
 *   url: 'libsql://my-db-my-org.turso.io',
 *   authToken: env.TURSO_TOKEN,
 *   intMode: 'bigint',
 * })
 * ```
 */
export interface LibsqlDialectConfig {
  /**
   * Database URL: `libsql:`, `https:`, `http:` (and `ws:`/`wss:`, `file:` with a matching `createClient`).
   * Replication indexes and request deadlines need an HTTP transport (`libsql:`, `https:`, `http:`).
   * Another scheme, or a `file:`/`:memory:` URL without `createClient` from '@libsql/client', is refused at
   * construction (`CONFIG_INVALID`). A refused auth token (HTTP 401/403, `AUTH_*`), an unknown database
   * (HTTP 404) or a host that does not resolve fail with `AUTH_FAILED`, `DATABASE_NOT_FOUND` or
   * `HOST_NOT_FOUND`: never retried on another node, never reported as an outage.
   */
  readonly url: string;
  /** Bearer token sent with every request. */
  readonly authToken?: string;
  /**
   * The `fetch` used for HTTP requests. Read when a request is made, never at import time.
   * @default globalThis.fetch
   */
  readonly fetch?: LibsqlFetch;
  /**
   * Builds the client of each connection.
   * @default createClient from '@libsql/client/web'
   */
  readonly createClient?: LibsqlClientFactory;
  /**
   * How SQLite integers come back: `number` (throws `RangeError` beyond 2^53 - 1), `bigint` or `string`.
   * @default 'number'
   */
  readonly intMode?: IntMode;
  /**
   * Deadline of every HTTP request, including reading its response body. A request that misses it fails
   * with `EdgeDbError` code `TIMEOUT`.
   *
   * Cancelling: the request is also aborted by the `signal` Kysely 0.29 passes to `executeQuery` and by
   * edge-db's router when a hedged attempt loses. A `file:` statement runs synchronously inside the engine
   * and cannot be cancelled.
   * @default 10000
   */
  readonly requestTimeoutMs?: number;
}
