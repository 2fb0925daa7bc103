import { join } from 'node:path';
import { describe, it } from 'vitest';
import { REPO_ROOT, RUNTIME_CONDITIONS } from '../support/bundle-entry.js';
import { guestbookServer } from '../support/guestbook-server.js';
import { startServerProcess } from '../support/start-server-process.js';

const DENO = join(REPO_ROOT, 'node_modules/deno/deno');

// examples/deno/main.ts served by Deno (the `deno` npm package), bundled for the `deno` condition so it runs
// offline: no npm: specifiers to download, no node_modules lookup. Deno's own cache goes to a temp dir.
describe('Deno: examples/deno', () => {
  const serveGuestbook = guestbookServer({
    entry: 'examples/deno/main.ts',
    conditions: RUNTIME_CONDITIONS.deno,
    tempPrefix: 'edge-db-deno-',
    scriptName: 'main.mjs',
    script: (bundle) => {
      if (bundle.nodeImports.length > 0)
        throw new Error(`the Deno bundle imports Node built-ins: ${JSON.stringify(bundle.nodeImports)}`);
      return bundle.code;
    },
  });

  for (const driver of ['libsql', 'neon'] as const) {
    it(`runs the guestbook on ${driver}: routing, token in a cookie, cache, transaction`, async () => {
      await serveGuestbook(driver, ({ env, dir, script }) =>
        startServerProcess(
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
            env: { ...env, DENO_DIR: join(dir, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1' },
            cwd: dir,
          },
        ),
      );
    });
  }
});
