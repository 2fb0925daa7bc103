import { type GuestbookEnv, handleGuestbook } from '../../shared/guestbook.js';

/**
 * The guestbook as a Cloudflare Worker. Bindings (see wrangler.toml) are the {@link GuestbookEnv} settings.
 *
 * Everything that does I/O (edge-db's drivers, their sockets) is created inside `fetch`, per request:
 * Workers cancel a request that waits on an I/O object another request created. Plain data (edge-db's
 * isolate state: latency, health, replica positions, the query cache) lives at module scope and is shared.
 */
export default {
  async fetch(
    request: Request,
    env: GuestbookEnv,
    ctx: { waitUntil(promise: Promise<unknown>): void },
  ): Promise<Response> {
    // request.cf.colo tells edge-db which data centre runs this request: the nearest replica wins.
    return handleGuestbook(request, env, { waitUntil: (promise) => ctx.waitUntil(promise) });
  },
};
