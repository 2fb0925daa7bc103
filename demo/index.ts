import type { TraceEntry } from '../examples/shared/guestbook.js';
import { type RunningWorker, startWorker } from '../test/runtimes/support/start-worker.js';
import { type DemoCluster, startLibsqlDemoCluster, startPostgresDemoCluster } from './demo-cluster.js';
import { bold, dim, printStep } from './trace-printer.js';

/**
 * `npm run demo [-- --postgres]`: starts a local cluster with three simulated regions, serves the example
 * guestbook Worker in workerd (miniflare), drives a short session and prints where each statement ran and why.
 */
const DEMO_DEADLINE_MS = 50_000;

async function main(): Promise<void> {
  const usePostgres = process.argv.includes('--postgres');
  const started = performance.now();
  console.log(bold('edge-db demo'), dim('— the guestbook Worker (examples/cloudflare-worker) in workerd'));
  console.log(dim(`starting the local ${usePostgres ? 'PostgreSQL' : 'libSQL'} cluster ...`));
  const cluster = usePostgres ? await startPostgresDemoCluster() : await startLibsqlDemoCluster();
  let worker: RunningWorker | undefined;
  try {
    console.log(`${cluster.label}, ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    for (const region of cluster.regions) {
      console.log(
        dim(
          `   ${region.node.padEnd(10)} ${region.region.padEnd(20)} ${region.latencyMs} ms each way from the caller`,
        ),
      );
    }
    worker = await startWorker(cluster.env);
    console.log(dim('workerd is serving the Worker; the session:'));
    await session(worker, cluster);
    console.log(
      `\n${bold('done')} ${dim(`in ${((performance.now() - started) / 1000).toFixed(1)} s; cleaning up`)}`,
    );
  } finally {
    await worker?.dispose();
    await cluster.stop();
  }
}

async function session(worker: RunningWorker, cluster: DemoCluster): Promise<void> {
  let cookie = '';
  let step = 0;
  const call = async (
    title: string,
    path: string,
    init: { method?: string; body?: unknown } = {},
    note?: (data: any) => string,
  ) => {
    const t0 = performance.now();
    const response = await worker.fetch(path, { ...init, ...(cookie ? { cookie } : {}) });
    const ms = performance.now() - t0;
    const body = (await response.json()) as {
      data?: any;
      trace?: TraceEntry[];
      token?: string | null;
      error?: unknown;
    };
    if (response.status !== 200)
      throw new Error(`${title}: HTTP ${response.status} ${JSON.stringify(body.error ?? body)}`);
    const setCookie = response.headers.get('set-cookie');
    const token = /edge_db_token=([^;]+)/.exec(setCookie ?? '')?.[1];
    if (token) cookie = `edge_db_token=${token}`;
    step += 1;
    printStep(
      step,
      title,
      {
        status: response.status,
        ms,
        trace: body.trace ?? [],
        token: body.token ?? null,
        ...(note ? { note: note(body.data) } : {}),
      },
      cluster.env.DB_DRIVER === 'neon' ? 'lsn' : 'index',
    );
    return body.data;
  };

  await call('Create the table', '/setup', { method: 'POST' }, () => 'DDL always runs on the primary');
  await call(
    'Read the guestbook (cold)',
    '/entries',
    {},
    (rows) => `${rows.length} entries; a replica answered`,
  );
  await call(
    'Read it again',
    '/entries',
    {},
    () => 'same query: served from the isolate cache when the cache is on',
  );
  const entry = await call(
    'Sign the guestbook (a write)',
    '/entries',
    { method: 'POST', body: { name: 'Ada', message: 'Hello from the edge' } },
    (row) => `entry #${row.id} written on the primary; the token (in a cookie) remembers its position`,
  );
  await call('Read your own entry (cookie token)', `/entries/${entry.id}`, {}, (row) =>
    row
      ? `found "${row.message}": the replica proved it had the write, or the read fell back`
      : 'NOT FOUND (stale read!)',
  );
  await call(
    'Read the list again after the write',
    '/entries',
    {},
    (rows) => `${rows.length} entries, including yours`,
  );
  await call(
    'Sign twice in one transaction',
    '/entries/batch',
    {
      method: 'POST',
      body: {
        entries: [
          { name: 'Bo', message: 'one' },
          { name: 'Cy', message: 'two' },
        ],
      },
    },
    (data) => `ids ${data.ids.join(', ')}; the transaction ran on the primary`,
  );
  await cluster.setReplicaMode(0, 'down');
  console.log(dim('\n   ✖ replica-0 (the nearest replica) goes down'));
  await call('Read during the outage', `/entries/${entry.id}`, {}, (row) =>
    row ? 'still answered: the router fell back and marks replica-0 unhealthy' : 'NOT FOUND',
  );
  await call('Read again during the outage', '/entries', {}, () => 'replica-0 is skipped now');
  await cluster.setReplicaMode(0, 'up');
  console.log(dim('\n   ✔ replica-0 is back'));
}

const deadline = setTimeout(() => {
  console.error(`edge-db demo: did not finish within ${DEMO_DEADLINE_MS / 1000} s; exiting`);
  process.exit(1);
}, DEMO_DEADLINE_MS);
deadline.unref();

main().then(
  () => {
    clearTimeout(deadline);
  },
  (error: unknown) => {
    console.error('\nedge-db demo failed:', error);
    process.exitCode = 1;
  },
);
