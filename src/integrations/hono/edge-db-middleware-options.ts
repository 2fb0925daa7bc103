import type { Context, Env } from 'hono';
import type { Kysely } from 'kysely';
import type { EdgeDbConfig, TokenCookieOptions } from '../../index.js';

/** The Hono variables {@link edgeDbMiddleware} sets: `c.get('db')` / `c.var.db`. */
export interface EdgeDbVariables<DB> {
  /** This request's `edgeDb` instance, destroyed after the response. */
  readonly db: Kysely<DB>;
}

/**
 * The Hono `Env` part {@link edgeDbMiddleware} adds, for apps that declare their env up front:
 * `new Hono<{ Bindings: Bindings } & EdgeDbEnv<Database>>()`.
 */
export interface EdgeDbEnv<DB> {
  readonly Variables: EdgeDbVariables<DB>;
}

/** Options of {@link edgeDbMiddleware}. */
export interface EdgeDbMiddlewareOptions<E extends Env = Env> {
  /**
   * Builds this request's configuration from the context, so bindings (`c.env`) reach it. Called once per
   * request. The middleware fills in what the config leaves out: `consistency.token` from the request,
   * `location.request` (the raw request, for the caller's location) and `waitUntil` (the execution context's,
   * when the runtime has one).
   */
  readonly config: (c: Context<E>) => EdgeDbConfig | Promise<EdgeDbConfig>;
  /**
   * Where the consistency token travels (header and cookie names, cookie attributes), as for `readToken` and
   * `withToken`; `false` neither reads nor writes tokens. `secure` defaults to true except for plain-http
   * requests to a loopback host (local development).
   * @default {}
   */
  readonly token?: TokenCookieOptions | false;
  /**
   * Append a `Server-Timing` entry per statement (node, route reason, cache status), so browser dev tools
   * show where the database time went. At most 20 statements are listed; the rest are counted.
   * @default true
   */
  readonly serverTiming?: boolean;
  /**
   * Receives errors the middleware kept from the response: minting the token after the handler (the
   * response goes out without a token) and destroying the instance.
   * @default errors are dropped
   */
  readonly onError?: (error: unknown, c: Context<E>) => void;
}
