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
 * The guestbook on Deno: `deno task start` (see deno.json). Settings come from the environment (`DB_DRIVER`,
 * `PRIMARY_URL`, `REPLICA_URLS`, ...); `PORT=0` picks a free port.
 *
 * In this repository deno.json maps `edge-db` to the build in ../../dist (`npm run build`) and the task reads
 * the other packages from the repository's node_modules (`--node-modules-dir=manual`). The config itself says
 * `"nodeModulesDir": "none"` because with `manual` there, `deno task` would run node_modules/.bin/deno (the
 * npm package's launcher, or its binary, which Deno then fails to load as a script) instead of itself.
 * A copied example replaces the import map with `npm:edge-db` specifiers.
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
