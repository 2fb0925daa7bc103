import type { Context, Env, MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import {
  type ConsistencyConfig,
  consistencyToken,
  type EdgeDbConfig,
  edgeDb,
  type RouteEvent,
  readToken,
  serverTiming,
  type TokenCookieOptions,
  withToken,
} from '../../index.js';
import type { EdgeDbEnv, EdgeDbMiddlewareOptions } from './edge-db-middleware-options.js';
import { routeTimingMetrics } from './route-timing-metrics.js';

/**
 * Hono middleware that gives every request its own `edgeDb` instance as `c.get('db')`: built from the context
 * (so `c.env` bindings reach the config), continuing the caller's session from the consistency token in the
 * request's header or cookie. After the handler it writes the session's token (header and cookie) and a
 * `Server-Timing` entry per statement to the response, then destroys the instance (through
 * `c.executionCtx.waitUntil` where the runtime has one), so no driver I/O object outlives its request.
 *
 * ### Examples
 * ```ts
 * import { Hono } from 'hono'
 * import { edgeDbMiddleware } from 'edge-db/hono'
 * import { libsql } from 'edge-db/libsql'
 *
 * type Bindings = { PRIMARY_URL: string; REPLICA_URL: string }
 *
 * const app = new Hono<{ Bindings: Bindings }>().use(
 *   edgeDbMiddleware<Database, { Bindings: Bindings }>({
 *     config: (c) => ({
 *       primary: libsql({ url: c.env.PRIMARY_URL }),
 *       replicas: [libsql({ url: c.env.REPLICA_URL })],
 *     }),
 *   }),
 * )
 * app.get('/posts', async (c) => c.json(await c.get('db').selectFrom('post').selectAll().execute()))
 * ```
 */
export function edgeDbMiddleware<DB, E extends Env = Env>(
  options: EdgeDbMiddlewareOptions<E>,
): MiddlewareHandler<E & EdgeDbEnv<DB>> {
  const transport = options.token ?? {};
  const timing = options.serverTiming ?? true;
  return async (c, next) => {
    const context = c as unknown as Context<E>;
    const report = (error: unknown) => {
      try {
        options.onError?.(error, context);
      } catch {
        // An error reporter that fails must not turn a served response into a failed one.
      }
    };
    const events: RouteEvent[] = [];
    const base = await options.config(context);
    const execution = executionContextOf(c);
    const keepAlive =
      base.waitUntil ??
      (execution === undefined ? undefined : (promise: Promise<unknown>) => execution.waitUntil(promise));
    // Background work of the instance (cache refreshes) runs on its drivers: tracked, to destroy them after it.
    const background: Promise<unknown>[] = [];
    const db = edgeDb<DB>({
      ...base,
      consistency: withRequestToken(base.consistency, c.req.raw, transport),
      location: base.location ?? { request: c.req.raw },
      waitUntil: (promise) => {
        background.push(promise);
        keepAlive?.(promise);
      },
      onRoute: (event) => {
        events.push(event);
        base.onRoute?.(event);
      },
    });
    c.set('db', db as never);
    try {
      await next();
      // An untouched instance has nothing to carry; asking it for a token would open connections.
      if (events.length > 0 && canAddHeaders(c.res)) {
        if (transport !== false) await writeToken(c, db, cookieOptions(transport, c.req.raw), report);
        if (timing) c.header('Server-Timing', serverTiming(routeTimingMetrics(events)), { append: true });
      }
    } finally {
      const destroyed = destroyWhenIdle(db, background, report);
      // With waitUntil the response leaves now and the request stays alive until the drivers are closed.
      if (keepAlive !== undefined) keepAlive(destroyed);
      // Without it (Node, Deno) the process outlives the request anyway: wait only when nothing runs behind.
      else if (background.length === 0) await destroyed;
    }
  };
}

/** Destroys the instance once its background work has settled; never rejects (errors go to `report`). */
async function destroyWhenIdle(
  db: Kysely<any>,
  background: Promise<unknown>[],
  report: (error: unknown) => void,
): Promise<void> {
  // A refresh may start another one; each has the instance's own deadlines, so this ends.
  while (background.length > 0) await Promise.allSettled(background.splice(0));
  try {
    await db.destroy();
  } catch (error) {
    report(error);
  }
}

function withRequestToken(
  consistency: EdgeDbConfig['consistency'],
  request: Request,
  transport: TokenCookieOptions | false,
): ConsistencyConfig {
  const config: ConsistencyConfig =
    typeof consistency === 'string' ? { mode: consistency } : (consistency ?? {});
  // A token the config chose itself wins (a token from the body, or `null` to start fresh).
  if (config.token !== undefined || transport === false) return config;
  return { ...config, token: readToken(request, transport) };
}

async function writeToken(
  c: Context,
  db: Kysely<any>,
  options: TokenCookieOptions,
  report: (error: unknown) => void,
): Promise<void> {
  let token: string | undefined;
  try {
    token = await consistencyToken(db);
  } catch (error) {
    // The handler's work is done (a write may have committed): failing the response now would invite a
    // retry of that write. The response leaves without a token; the next request reads without the floor.
    report(error);
    return;
  }
  if (token === undefined) return;
  // withToken decides the header and cookie; move its headers onto Hono's response, because assigning
  // `c.res` would drop Set-Cookie headers the handler already set.
  const carrier = withToken(new Response(null), token, options);
  for (const [name, value] of carrier.headers) if (name !== 'set-cookie') c.header(name, value);
  for (const cookie of carrier.headers.getSetCookie()) c.header('set-cookie', cookie, { append: true });
}

function cookieOptions(transport: TokenCookieOptions, request: Request): TokenCookieOptions {
  if (transport.secure !== undefined) return transport;
  const url = new URL(request.url);
  // Browsers drop `Secure` cookies over plain http, which would silently end sessions in local development.
  const local = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  return { ...transport, secure: !local };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Upgrades (101) and other non-final responses cannot be rebuilt with extra headers. */
function canAddHeaders(response: Response): boolean {
  return response.status >= 200 && response.status <= 599;
}

/** Hono's `c.executionCtx` throws on runtimes without one (Node, Deno, tests). */
function executionContextOf(c: Context): { waitUntil(promise: Promise<unknown>): void } | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
