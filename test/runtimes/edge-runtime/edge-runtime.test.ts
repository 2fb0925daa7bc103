import { EdgeRuntime, runServer } from 'edge-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntry, RUNTIME_CONDITIONS } from '../support/bundle-entry.js';
import { runGuestbookScenario } from '../support/guestbook-scenario.js';
import { httpFetch } from '../support/http-fetch.js';
import { envRecord, type LocalClusters, startLocalClusters } from '../support/local-clusters.js';

const ROUTE = 'examples/vercel-edge/app/api/guestbook/[...path]/route.ts';

/**
 * Bundles the Next.js route handler as Next does for the Edge Runtime: `edge-light` conditions, every
 * `process.env.NAME` replaced by its value (the runtime has no `process`), plus the glue Next generates
 * (a fetch listener calling the exported GET/POST).
 */
async function edgeRuntimeScript(env: Record<string, string>): Promise<string> {
  const define: Record<string, string> = { 'process.env.NODE_ENV': '"production"' };
  for (const name of [
    'DB_DRIVER',
    'PRIMARY_URL',
    'REPLICA_URLS',
    'PRIMARY_REGION',
    'REPLICA_REGIONS',
    'CALLER_REGION',
    'LIBSQL_AUTH_TOKEN',
    'NEON_LOCAL_PROXY',
    'TOKEN_SECRET',
  ]) {
    define[`process.env.${name}`] = env[name] === undefined ? 'undefined' : JSON.stringify(env[name]);
  }
  const entry = `test/runtimes/edge-runtime/next-glue.ts`;
  const bundle = await bundleEntry(entry, RUNTIME_CONDITIONS['edge-light'], { format: 'iife', define });
  expect(bundle.inputs).toContain(ROUTE);
  if (bundle.nodeImports.length > 0)
    throw new Error(`the edge bundle imports Node built-ins: ${JSON.stringify(bundle.nodeImports)}`);
  return bundle.code;
}

describe('Vercel Edge Runtime (edge-runtime): examples/vercel-edge', () => {
  let clusters: LocalClusters;
  const servers: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    clusters = await startLocalClusters();
  });
  afterAll(async () => {
    await Promise.allSettled(servers.map((server) => server.close()));
    await clusters?.stop();
  });

  it('has no process global (the pitfall the example is written for)', async () => {
    const runtime = new EdgeRuntime({ initialCode: 'self.kind = typeof process' });
    expect(runtime.evaluate('self.kind')).toBe('undefined');
  });

  for (const driver of ['libsql', 'neon'] as const) {
    it(`runs the guestbook on ${driver}: routing, token in a cookie, cache, transaction`, async () => {
      const target = clusters.targets.find((t) => t.driver === driver);
      if (target === undefined) throw new Error(`no ${driver} cluster`);
      const runtime = new EdgeRuntime({ initialCode: await edgeRuntimeScript(envRecord(target.env)) });
      const server = await runServer({ runtime, port: 0, host: '127.0.0.1' });
      servers.push(server);
      await runGuestbookScenario(httpFetch(`${server.url.replace(/\/$/, '')}/api/guestbook`), target);
    });
  }
});
