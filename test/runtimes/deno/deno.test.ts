import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { bundleEntry, REPO_ROOT, RUNTIME_CONDITIONS } from '../support/bundle-entry.js';
import { runGuestbookScenario } from '../support/guestbook-scenario.js';
import { httpFetch } from '../support/http-fetch.js';
import { envRecord, type LocalClusters, startLocalClusters } from '../support/local-clusters.js';
import { type ServerProcess, startServerProcess } from '../support/start-server-process.js';

const DENO = join(REPO_ROOT, 'node_modules/deno/deno');

// examples/deno/main.ts served by Deno (the `deno` npm package), bundled for the `deno` condition so it runs
// offline: no npm: specifiers to download, no node_modules lookup. Deno's own cache goes to a temp dir.
describe('Deno: examples/deno', () => {
  let clusters: LocalClusters;
  let dir: string;
  let script: string;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    const [started, bundle] = await Promise.all([
      startLocalClusters(),
      bundleEntry('examples/deno/main.ts', RUNTIME_CONDITIONS.deno),
    ]);
    clusters = started;
    if (bundle.nodeImports.length > 0)
      throw new Error(`the Deno bundle imports Node built-ins: ${JSON.stringify(bundle.nodeImports)}`);
    dir = mkdtempSync(join(tmpdir(), 'edge-db-deno-'));
    script = join(dir, 'main.mjs');
    writeFileSync(script, bundle.code);
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
      const server = await startServerProcess(
        DENO,
        [
          'run',
          '--quiet',
          '--no-prompt',
          '--no-config',
          '--no-lock',
          '--allow-net=127.0.0.1',
          '--allow-env',
          script,
        ],
        {
          env: {
            ...envRecord(target.env),
            PORT: '0',
            DENO_DIR: join(dir, 'deno-dir'),
            DENO_NO_UPDATE_CHECK: '1',
          },
          cwd: dir,
        },
      );
      servers.push(server);
      await runGuestbookScenario(httpFetch(server.url), target);
    });
  }
});
