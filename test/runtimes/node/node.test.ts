import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { bundleEntry } from '../support/bundle-entry.js';
import { runGuestbookScenario } from '../support/guestbook-scenario.js';
import { httpFetch } from '../support/http-fetch.js';
import { envRecord, type LocalClusters, startLocalClusters } from '../support/local-clusters.js';
import { type ServerProcess, startServerProcess } from '../support/start-server-process.js';

// examples/node/server.ts in a plain `node` process (this Node, 20: no global WebSocket, so the example
// passes `ws` to the Neon driver), bundled for the `node` condition.
describe('Node: examples/node', () => {
  let clusters: LocalClusters;
  let dir: string;
  let script: string;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    const [started, bundle] = await Promise.all([
      startLocalClusters(),
      bundleEntry('examples/node/server.ts', ['node'], {
        platform: 'node',
        external: ['bufferutil', 'utf-8-validate'],
      }),
    ]);
    clusters = started;
    dir = mkdtempSync(join(tmpdir(), 'edge-db-node-'));
    script = join(dir, 'server.mjs');
    // The bundle includes CommonJS packages (ws): give them a `require`.
    writeFileSync(
      script,
      `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\n${bundle.code}`,
    );
  });
  afterAll(async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    await clusters?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const driver of ['libsql', 'neon'] as const) {
    it(`runs the guestbook on ${driver}: routing, token in a cookie, cache, transaction`, async () => {
      const target = clusters.targets.find((t) => t.driver === driver);
      if (target === undefined) throw new Error(`no ${driver} cluster`);
      const server = await startServerProcess(process.execPath, [script], {
        env: { ...envRecord(target.env), PORT: '0' },
      });
      servers.push(server);
      await runGuestbookScenario(httpFetch(server.url), target);
    });
  }
});
