/**
 * Prints what the workerd-pg Worker does in each scenario of its test: route events, the answering server and
 * the wall time of each request as seen from Node. For docs/node-postgres.md; not a test (it asserts nothing).
 *
 *   npx tsx test/runtimes/workerd-pg/show-routes.ts [tcp|hyperdrive]
 */
import pg from 'pg';
import { startPostgresCluster } from '../../../src/testing/index.js';
import { bundlePgWorker, type PgTransport, type PgWorkerResponse, startPgWorker } from './start-pg-worker.js';

const transport: PgTransport = process.argv[2] === 'hyperdrive' ? 'hyperdrive' : 'tcp';
const cluster = await startPostgresCluster({ replicas: 2 });
const primarySql = new pg.Client({ connectionString: cluster.primary.directUrl });

async function timed(label: string, request: () => Promise<PgWorkerResponse>): Promise<PgWorkerResponse> {
  const started = performance.now();
  const reply = await request();
  const ms = (performance.now() - started).toFixed(0);
  const routes = reply.body.routes.map(
    (r) => `${r.reason}@${r.node}[${r.attempts.map((a) => `${a.node}:${a.outcome}`).join(' ')}]`,
  );
  console.log(
    `${label.padEnd(10)} ${ms.padStart(5)} ms  ${reply.status}  server=${JSON.stringify(reply.body.server)}`,
  );
  console.log(`           notes=${JSON.stringify(reply.body.notes)}  routes=${routes.join(', ')}`);
  return reply;
}

try {
  const [eu, ap] = cluster.replicas;
  if (eu === undefined || ap === undefined) throw new Error('expected two replicas');
  cluster.primary.setLatency(5);
  eu.setLatency(1);
  ap.setLatency(5);
  await primarySql.connect();
  await primarySql.query('create table note (id serial primary key, body text not null)');
  await primarySql.query("insert into note (body) values ('seed')");
  const seeded = await cluster.primary.currentPosition();
  await Promise.all(cluster.replicas.map((replica) => replica.waitForPosition(seeded)));
  const code = await bundlePgWorker();
  console.log(
    `transport ${transport}; server ports: primary ${cluster.primary.directPort}, replica-eu ${eu.directPort}, replica-ap ${ap.directPort}`,
  );

  const worker = await startPgWorker(code, cluster, transport);
  for (let i = 0; i < 3; i++) await timed('read', () => worker.request('GET', '/read'));
  await Promise.all([eu.setApplyDelay(60_000), ap.setApplyDelay(60_000)]);
  const write = await timed('write', () => worker.request('POST', '/write?note=written'));
  await timed('no token', () => worker.request('GET', '/read'));
  await timed('token', () => worker.request('GET', '/read', write.token));
  await eu.setApplyDelay(0);
  await eu.waitForPosition(await cluster.primary.currentPosition());
  await timed('caught up', () => worker.request('GET', '/read', write.token));
  await timed('tx', () => worker.request('POST', '/transaction?note=in-tx'));
  await worker.dispose();
  await ap.setApplyDelay(0);

  const hung = await startPgWorker(code, cluster, transport, { ATTEMPT_TIMEOUT_MS: '500' });
  eu.setMode('blackhole');
  ap.setMode('blackhole');
  for (let i = 0; i < 2; i++) await timed('hung', () => hung.request('GET', '/read'));
  await hung.dispose();
  eu.setMode('up');
  ap.setMode('up');

  const down = await startPgWorker(code, cluster, transport);
  eu.setMode('down');
  ap.setMode('down');
  for (let i = 0; i < 3; i++) await timed('down', () => down.request('GET', '/read'));
  await down.dispose();
} finally {
  await primarySql.end().catch(() => undefined);
  await cluster.stop();
}
