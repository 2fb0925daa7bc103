import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { REPO_ROOT } from '../support/bundle-entry.js';
import { runGuestbookScenario } from '../support/guestbook-scenario.js';
import { httpFetch } from '../support/http-fetch.js';
import { envRecord, type LocalClusters, startLocalClusters } from '../support/local-clusters.js';
import { freePort, type RunningCommand, startCommand } from './start-command.js';

const bin = (name: string) => join(REPO_ROOT, 'node_modules/.bin', name);
// The Deno binary itself: node_modules/.bin/deno may be the npm package's Node launcher or the binary.
const DENO = join(REPO_ROOT, 'node_modules/deno/deno');
const hasDist = existsSync(join(REPO_ROOT, 'dist/index.js'));
if (!hasDist)
  console.warn('`deno task start` not run: dist/ is missing; run `npm run build` first (npm test does).');

// Each example's own documented command, run from the repository as examples/README.md says, against the
// local clusters: the same guestbook scenario as the per-runtime tests (which bundle the examples themselves),
// here through the tools users run: wrangler, deno task, tsx.
describe('examples run with their documented commands', () => {
  let clusters: LocalClusters;
  let scratch: string;
  const running: RunningCommand[] = [];

  beforeAll(async () => {
    clusters = await startLocalClusters();
    scratch = mkdtempSync(join(tmpdir(), 'edge-db-examples-'));
  });
  afterAll(async () => {
    await Promise.allSettled(running.map((command) => command.stop()));
    await clusters?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const target = (driver: 'libsql' | 'neon') => {
    const found = clusters.targets.find((t) => t.driver === driver);
    if (found === undefined) throw new Error(`no ${driver} cluster`);
    return found;
  };

  for (const driver of ['libsql', 'neon'] as const) {
    it(`cloudflare-worker: \`wrangler dev\` on ${driver}`, async () => {
      const port = await freePort();
      const vars = Object.entries(envRecord(target(driver).env)).flatMap(([name, value]) => [
        '--var',
        `${name}:${value}`,
      ]);
      const command = await startCommand(
        bin('wrangler'),
        [
          'dev',
          '--ip',
          '127.0.0.1',
          '--port',
          String(port),
          '--inspector-port',
          String(await freePort()),
          ...vars,
        ],
        {
          cwd: join(REPO_ROOT, 'examples/cloudflare-worker'),
          env: {
            WRANGLER_SEND_METRICS: 'false',
            CI: 'true',
            XDG_CONFIG_HOME: join(scratch, 'xdg'),
            WRANGLER_LOG_PATH: join(scratch, 'wrangler-logs'),
          },
          ready: /Ready on (http:\/\/[^\s]+)/,
        },
      );
      running.push(command);
      try {
        await runGuestbookScenario(httpFetch(command.url.replace(/\/$/, '')), target(driver));
      } finally {
        await command.stop();
      }
    });

    it.skipIf(!hasDist)(`deno: \`deno task start\` on ${driver}`, async () => {
      const command = await startCommand(DENO, ['task', 'start'], {
        cwd: join(REPO_ROOT, 'examples/deno'),
        env: {
          ...envRecord(target(driver).env),
          PORT: '0',
          DENO_DIR: join(scratch, 'deno-dir'),
          DENO_NO_UPDATE_CHECK: '1',
        },
        ready: /listening on (http:\/\/[^\s]+)/,
      });
      running.push(command);
      try {
        await runGuestbookScenario(httpFetch(command.url), target(driver));
      } finally {
        await command.stop();
      }
    });

    it(`node: \`npx tsx examples/node/server.ts\` on ${driver}`, async () => {
      const command = await startCommand(bin('tsx'), ['examples/node/server.ts'], {
        cwd: REPO_ROOT,
        env: { ...envRecord(target(driver).env), PORT: '0' },
        ready: /listening on (http:\/\/[^\s]+)/,
      });
      running.push(command);
      try {
        await runGuestbookScenario(httpFetch(command.url), target(driver));
      } finally {
        await command.stop();
      }
    });
  }
});
