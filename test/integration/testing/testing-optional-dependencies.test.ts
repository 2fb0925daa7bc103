import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Options } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import projectConfig from '../../../tsup.config.js';

// The project's builds (an array): the one that has the testing entries, as ESM.
const tsupConfig = (projectConfig as Options[]).find(
  (config) =>
    config.format === 'esm' &&
    Object.keys(config.entry as Record<string, string>).some((name) => name.startsWith('testing/')),
)!;

// `edge-db/testing` as a libSQL-only project installs it: the built package in node_modules next to kysely,
// @libsql/client, libsql and lru-cache, with no pg, ws or testcontainers anywhere on the resolution path.
// The package is built here (the project's tsup config, its testing entries, no type declarations) into that
// folder, so the test never reads a stale or half-written dist/ of the working tree.

const repo = join(import.meta.dirname, '../../..');
const installedPeers = ['kysely', '@libsql/client', 'libsql', 'lru-cache'];
let app: string;

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'edge-db-libsql-only-'));
  const edgeDb = join(app, 'node_modules/edge-db');
  mkdirSync(join(app, 'node_modules/@libsql'), { recursive: true });
  mkdirSync(edgeDb, { recursive: true });
  for (const name of installedPeers) {
    symlinkSync(join(repo, 'node_modules', name), join(app, 'node_modules', name), 'dir');
  }
  writeFileSync(join(edgeDb, 'package.json'), readFileSync(join(repo, 'package.json')));
  // Only the testing entries: the other entries are not under test here.
  const entry = Object.fromEntries(
    Object.entries(tsupConfig.entry as Record<string, string>).filter(([name]) =>
      name.startsWith('testing/'),
    ),
  );
  await build({
    ...tsupConfig,
    entry,
    // Both module systems, as the package ships edge-db/testing.
    format: ['esm', 'cjs'],
    config: false,
    dts: false,
    sourcemap: false,
    outDir: join(edgeDb, 'dist'),
    silent: true,
  });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'libsql-only-app', type: 'module' }));
}, 120_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

interface Probe {
  readonly absent: Record<string, unknown>;
  readonly libsql: unknown;
  readonly postgres: unknown;
  readonly neon: unknown;
}

const probeBody = `
const absent = {};
for (const name of ['pg', 'ws', 'testcontainers']) {
  absent[name] = await import(name).then(() => 'installed', (error) => error.code);
}
const failure = (error) => ({ name: error.name, code: error.code, message: error.message });
let libsql;
const cluster = await testing.startLibsqlCluster({ replicas: 1 });
try {
  const client = createClient({ url: cluster.primary.url });
  await client.execute('create table t (x integer)');
  await client.execute('insert into t values (42)');
  await cluster.replicas[0].waitForIndex(await cluster.primary.replicationIndex());
  const replica = createClient({ url: cluster.replicas[0].url });
  libsql = Number((await replica.execute('select x from t')).rows[0].x);
  client.close();
  replica.close();
} finally {
  await cluster.stop();
}
const postgres = await testing.startPostgresCluster({ replicas: 0 }).then(
  async (started) => { await started.stop(); return 'started'; },
  failure,
);
const neon = await testing.startNeonProxy().then(
  async (proxy) => { await proxy.close(); return 'started'; },
  failure,
);
process.stdout.write(JSON.stringify({ absent, libsql, postgres, neon }));
`;

const probes = {
  esm: {
    file: 'probe.mjs',
    source: `import * as testing from 'edge-db/testing';\nimport { createClient } from '@libsql/client';\n${probeBody}`,
  },
  cjs: {
    file: 'probe.cjs',
    source:
      `const testing = require('edge-db/testing');\nconst { createClient } = require('@libsql/client');\n` +
      `(async () => {${probeBody}})().catch((error) => { console.error(error); process.exit(1); });`,
  },
} as const;

async function runProbe(kind: keyof typeof probes): Promise<Probe> {
  const { file, source } = probes[kind];
  writeFileSync(join(app, file), source);
  const child = spawn(process.execPath, [file], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`the ${kind} probe exited with ${code}: ${stderr}`);
  return JSON.parse(stdout) as Probe;
}

describe('edge-db/testing without pg, ws and testcontainers installed', () => {
  it.each(['esm', 'cjs'] as const)(
    '%s: imports, runs a libSQL cluster, and names the missing packages of the other beds',
    async (kind) => {
      const probe = await runProbe(kind);
      // The fixture really lacks them (otherwise the test proves nothing).
      expect(probe.absent).toEqual({
        pg: 'ERR_MODULE_NOT_FOUND',
        ws: 'ERR_MODULE_NOT_FOUND',
        testcontainers: 'ERR_MODULE_NOT_FOUND',
      });
      expect(probe.libsql).toBe(42);
      expect(probe.postgres).toEqual({
        name: 'EdgeDbError',
        code: 'TESTING_SETUP_FAILED',
        message: expect.stringContaining('`npm install -D pg`'),
      });
      expect(probe.neon).toEqual({
        name: 'EdgeDbError',
        code: 'TESTING_SETUP_FAILED',
        message: expect.stringContaining('`npm install -D pg ws`'),
      });
    },
    90_000,
  );
});
