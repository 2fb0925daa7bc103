import { type GuestbookEnv, handleGuestbook } from '../shared/guestbook.js';

declare const Deno: {
  env: { toObject(): Record<string, string> };
  serve(
    options: {
      port: number;
      hostname: string;
      onListen?: (address: { port: number; hostname: string }) => void;
    },
    handler: (request: Request) => Response | Promise<Response>,
  ): { finished: Promise<void> };
};

/**
 * The guestbook on Deno: `deno run --allow-net --allow-env main.ts` (see deno.json). Settings come from the
 * environment (`DB_DRIVER`, `PRIMARY_URL`, `REPLICA_URLS`, ...); `PORT=0` picks a free port.
 */
const env = Deno.env.toObject();
Deno.serve(
  {
    port: Number(env.PORT ?? 8000),
    hostname: env.HOST ?? '127.0.0.1',
    onListen: ({ hostname, port }) => console.log(`guestbook listening on http://${hostname}:${port}`),
  },
  (request) => handleGuestbook(request, env as unknown as GuestbookEnv),
);
