import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { isRunning } from '../../../src/testing/postgres/postgres-server.js';

const clusterModule = new URL('../../../src/testing/postgres/postgres-cluster.ts', import.meta.url).href;

// The child starts a cluster, reports where it lives, and is then killed with SIGTERM without stop():
// the exit hook must stop its servers and remove its folder.
const childSource = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
const { startPostgresCluster } = await import(${JSON.stringify(clusterModule)});
const cluster = await startPostgresCluster({ replicas: 1 });
const nodes = [cluster.primary, ...cluster.replicas];
const pids = nodes.map((node) => Number(readFileSync(join(node.dataDir, 'postmaster.pid'), 'utf8').split('\\n')[0]));
process.stdout.write(JSON.stringify({ rootDir: join(cluster.primary.dataDir, '..'), pids }) + '\\n');
setInterval(() => undefined, 1_000);
`;

it('stops the servers of a cluster left running when the process is terminated', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', childSource], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  const ended = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  const deadline = setTimeout(() => child.kill('SIGKILL'), 50_000);
  try {
    const report = await new Promise<{ rootDir: string; pids: number[] }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (data: Buffer) => {
        out += data.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
      });
      void ended.then(() => reject(new Error(`the child ended before reporting its cluster:\n${stderr}`)));
    });
    expect(await Promise.all(report.pids.map(isRunning))).toEqual([true, true]);
    expect(existsSync(report.rootDir)).toBe(true);

    child.kill('SIGTERM');
    expect(await ended).toBe('SIGTERM');
    // pg_ctl stop -m immediate -w has returned inside the hook; the postmasters exit right after it.
    for (let i = 0; i < 200 && (await Promise.all(report.pids.map(isRunning))).some(Boolean); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await Promise.all(report.pids.map(isRunning))).toEqual([false, false]);
    expect(existsSync(report.rootDir)).toBe(false);
  } finally {
    clearTimeout(deadline);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
