import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EdgeRuntime, runServer } from 'edge-runtime';
import { build } from 'esbuild';

/**
 * Serves the route in Vercel's Edge Runtime (the `edge-runtime` package) without Next.js, for this repository:
 * `PORT=3000 DB_DRIVER=libsql PRIMARY_URL=... npx tsx examples/vercel-edge/dev-server.ts`. In a Next.js app,
 * `next dev` does this. Like Next, it bundles the route for the `edge-light` condition and replaces every
 * `process.env.NAME` with its value (the Edge Runtime has no `process`).
 */
const here = dirname(fileURLToPath(import.meta.url));
const NAMES = [
  'DB_DRIVER',
  'PRIMARY_URL',
  'REPLICA_URLS',
  'PRIMARY_REGION',
  'REPLICA_REGIONS',
  'CALLER_REGION',
  'LIBSQL_AUTH_TOKEN',
  'NEON_LOCAL_PROXY',
  'TOKEN_SECRET',
];
const define: Record<string, string> = { 'process.env.NODE_ENV': '"development"' };
for (const name of NAMES) {
  const value = process.env[name];
  define[`process.env.${name}`] = value === undefined ? 'undefined' : JSON.stringify(value);
}

// What Next generates around an edge route handler, reduced to what the runtime sees: a fetch listener.
const glue = `
import * as route from './app/api/guestbook/[...path]/route';
addEventListener('fetch', (event) => {
  const handler = event.request.method === 'GET' ? route.GET : event.request.method === 'POST' ? route.POST : undefined;
  event.respondWith(handler ? handler(event.request) : new Response('method not allowed', { status: 405 }));
});`;

const bundle = await build({
  stdin: { contents: glue, resolveDir: here, loader: 'ts' },
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'neutral',
  target: 'es2022',
  conditions: ['edge-light', 'worker', 'browser'],
  mainFields: ['browser', 'module', 'main'],
  define,
  tsconfig: join(here, '../tsconfig.json'),
  logLevel: 'warning',
});
const runtime = new EdgeRuntime({ initialCode: bundle.outputFiles[0]?.text ?? '' });
const server = await runServer({ runtime, port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`guestbook listening on ${server.url.replace(/\/$/, '')}/api/guestbook`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await server.close();
    process.exit(0);
  });
}
