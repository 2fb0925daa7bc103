import type { CustomTypesConfig, WebSocketConstructor } from '@neondatabase/serverless';

/**
 * Options of a {@link NeonDialect}. Only `url` is required on Neon; the transport options exist for
 * self-hosted proxies, local tests ({@link neonLocalSettings} in `edge-db/testing`) and Node 20.
 *
 * All options apply to this dialect only, except `fetchEndpoint` (see there).
 *
 * ### Examples
 * ```ts
 * const config: NeonDialectConfig = { url: env.DATABASE_URL, requestTimeoutMs: 5_000 }
 * ```
 */
export interface NeonDialectConfig {
  /**
   * Connection string, `postgresql://user:password@ep-xxx.region.aws.neon.tech/db`.
   *
   * A host outside `*.neon.tech` is refused at construction (`CONFIG_INVALID`) unless `fetchEndpoint` or
   * `wsProxy` is given, or the global `neonConfig.fetchEndpoint` was changed before: Neon's driver would send
   * the SQL to `https://api.<domain>/sql`, which no plain PostgreSQL server answers. What cannot be told at
   * construction (a wrong password, a missing database, a host that does not resolve) fails the first
   * statement with `AUTH_FAILED`, `DATABASE_NOT_FOUND` or `HOST_NOT_FOUND`, never as an outage.
   */
  readonly url: string;
  /**
   * Where SQL-over-HTTP requests go, or a function of the connection string's host and port.
   *
   * `@neondatabase/serverless` 1.x reads this from its global `neonConfig` only, so edge-db installs one
   * global dispatcher into `neonConfig.fetchEndpoint` on first use: requests for this dialect's
   * `host:port` go to this endpoint, every other host keeps the endpoint configured before.
   * @default Neon's endpoint for the host (`https://api.<host>/sql`), untouched
   */
  readonly fetchEndpoint?: string | ((host: string, port: number | string) => string);
  /** Extra `fetch` init options merged into every SQL-over-HTTP request (for example `{ priority: 'high' }`). */
  readonly fetchOptions?: Readonly<Record<string, unknown>>;
  /**
   * WebSocket proxy address (no scheme) or a function of host and port, set per connection.
   * @default Neon's proxy for the host (`<host>/v2`)
   */
  readonly wsProxy?: string | ((host: string, port: number | string) => string);
  /**
   * WebSocket implementation, set per connection. Needed on Node 20 (no global `WebSocket`): pass `ws`.
   * @default the global `WebSocket`
   */
  readonly webSocketConstructor?: WebSocketConstructor;
  /** `wss:` (true) or `ws:` (false) to the proxy, per connection. @default true */
  readonly useSecureWebSocket?: boolean;
  /**
   * Pipeline startup, password and first query (`'password'`), per connection. Must be `false` for servers
   * that do not use cleartext password auth (for example trust auth in local tests).
   * @default 'password'
   */
  readonly pipelineConnect?: 'password' | false;
  /** Disable TLS inside the WebSocket tunnel, per connection. @default true */
  readonly forceDisablePgSSL?: boolean;
  /**
   * Deadline of one SQL-over-HTTP request and of one statement over WebSocket, in milliseconds.
   * An expired HTTP request rejects with an `EdgeDbError` of code `TIMEOUT`.
   *
   * Cancelling: an HTTP statement's `fetch` is also aborted by the `signal` Kysely 0.29 passes to
   * `executeQuery` and by edge-db's router when a hedged attempt loses (where the runtime has
   * `AbortSignal.any`). A statement on the WebSocket session (transactions, `db.connection()`, streams)
   * runs until it ends or this deadline passes: PostgreSQL cancels only through a second connection.
   * @default 30_000
   */
  readonly requestTimeoutMs?: number;
  /** Deadline to open a WebSocket connection (TCP, WebSocket and PostgreSQL start-up). @default 10_000 */
  readonly connectTimeoutMs?: number;
  /** Type parsers for both transports, as in node-postgres. @default node-postgres' parsers */
  readonly types?: CustomTypesConfig;
}
