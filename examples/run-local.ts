import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  postgresHttpRoutes,
  startLibsqlCluster,
  startNeonProxy,
  startPostgresCluster,
} from 'edge-db/testing';
import type { GuestbookEnv } from './shared/guestbook.js';

/**
 * Runs one example from this repository against local clusters from `edge-db/testing`, with the example's own
 * tool: `npm run example -- worker|deno|node|vercel [--postgres]`.
 *
 * - default: libSQL, a primary and two replicas standing for self-hosted sqld in `fra`, `iad` and `sin`;
 * - `--postgres`: PostgreSQL with two streaming standbys behind the local Neon proxy, standing for a Neon project
 *   whose read replica computes share the primary's region (`aws-us-east-2`), as Neon offers them.
 *
 * It prints the URL, and stops the clusters when the example exits or on Ctrl-C. `PORT` picks the port.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLES = ['worker', 'deno', 'node', 'vercel'] as const;
type Example = (typeof EXAMPLES)[number];

async function main(): Promise<void> {
  const example = process.argv[2] as Example;
  if (!EXAMPLES.includes(example)) {
    console.error(`usage: npm run example -- ${EXAMPLES.join('|')} [--postgres]`);
    process.exit(2);
  }
  const clusters = process.argv.includes('--postgres') ? await startPostgres() : await startLibsql();
  const port = process.env.PORT ?? '8787';
  const env: Record<string, string> = Object.fromEntries(
    Object.entries({ ...clusters.env, TOKEN_SECRET: 'local-development-secret-32-characters!' }).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  console.log(
    `local ${clusters.label}\n${Object.entries(env)
      .map(([k, v]) => `  ${k}=${v}`)
      .join('\n')}`,
  );
  let child: ChildProcess;
  try {
    child = await startExample(example, env, port);
  } catch (error) {
    await clusters.stop();
    throw error;
  }
  const stop = async (code: number) => {
    child.kill('SIGTERM');
    await clusters.stop();
    process.exit(code);
  };
  child.once('exit', (code) => void stop(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(0));
}

interface LocalClusters {
  readonly label: string;
  readonly env: GuestbookEnv;
  stop(): Promise<void>;
}

async function startLibsql(): Promise<LocalClusters> {
  const cluster = await startLibsqlCluster({ replicas: 2 });
  return {
    label: 'libSQL: primary (fra) + replicas (iad, sin)',
    env: {
      DB_DRIVER: 'libsql',
      PRIMARY_URL: cluster.primary.url,
      REPLICA_URLS: cluster.replicas.map((replica) => replica.url).join(','),
      PRIMARY_REGION: 'fra',
      REPLICA_REGIONS: 'iad,sin',
      CALLER_REGION: 'fra',
    },
    stop: () => cluster.stop(),
  };
}

async function startPostgres(): Promise<LocalClusters> {
  const cluster = await startPostgresCluster({ replicas: 2 });
  try {
    const proxy = await startNeonProxy({ httpRoute: postgresHttpRoutes(cluster) });
    return {
      label: 'PostgreSQL behind the Neon proxy: primary + 2 read replicas, all aws-us-east-2',
      env: {
        DB_DRIVER: 'neon',
        PRIMARY_URL: cluster.primary.url,
        REPLICA_URLS: cluster.replicas.map((replica) => replica.url).join(','),
        PRIMARY_REGION: 'aws-us-east-2',
        REPLICA_REGIONS: 'aws-us-east-2,aws-us-east-2',
        NEON_LOCAL_PROXY: proxy.url,
      },
      stop: async () => {
        await proxy.close();
        await cluster.stop();
      },
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** Starts the example's own tool with the cluster settings in its environment (or bindings). */
async function startExample(
  example: Example,
  env: Record<string, string>,
  port: string,
): Promise<ChildProcess> {
  const run = (command: string, args: string[], cwd: string, extra: Record<string, string> = {}) =>
    spawn(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env, ...extra } });
  switch (example) {
    case 'worker': {
      const vars = Object.entries(env).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
      const wrangler = join(ROOT, 'node_modules/.bin/wrangler');
      return run(
        wrangler,
        ['dev', '--ip', '127.0.0.1', '--port', port, ...vars],
        join(ROOT, 'examples/cloudflare-worker'),
      );
    }
    case 'deno':
      // deno.json maps edge-db to the package build in dist/.
      if (!existsSync(join(ROOT, 'dist/index.js'))) await runToEnd('npm', ['run', 'build'], ROOT);
      return run(join(ROOT, 'node_modules/deno/deno'), ['task', 'start'], join(ROOT, 'examples/deno'), {
        PORT: port,
        DENO_NO_UPDATE_CHECK: '1',
      });
    case 'node':
      return run(join(ROOT, 'node_modules/.bin/tsx'), ['examples/node/server.ts'], ROOT, { PORT: port });
    case 'vercel':
      return run(join(ROOT, 'node_modules/.bin/tsx'), ['examples/vercel-edge/dev-server.ts'], ROOT, {
        PORT: port,
      });
  }
}

async function runToEnd(command: string, args: string[], cwd: string): Promise<void> {
  const child = spawn(command, args, { cwd, stdio: 'inherit' });
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${code})`);
}

await main();
