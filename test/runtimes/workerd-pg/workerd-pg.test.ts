import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresCluster, startPostgresCluster } from '../../../src/testing/index.js';
import { bundlePgWorker, type PgTransport, type RunningPgWorker, startPgWorker } from './start-pg-worker.js';

// node-postgres inside workerd (miniflare), over TCP from `cloudflare:sockets` under `nodejs_compat`, against a
// real primary and two streaming standbys. Every request builds its own edgeDb instance with three pg Pools
// and destroys it. Each transport gets the same scenarios: direct TCP to the databases, and one Hyperdrive
// binding per node (miniflare's local Hyperdrive: the binding's connection string, TCP through miniflare's
// proxy and a graceful forwarder to the node's relay). docs/node-postgres.md describes what this shows.
describe('workerd + node-postgres (TCP sockets)', () => {
  let cluster: PostgresCluster;
  let code: string;
  /** `inet_server_port()` of each node, asked from Node: who answered, independent of the router's report. */
  const serverPorts = new Map<string, number>();
  let primarySql: pg.Client;
  const workers: RunningPgWorker[] = [];
  let counter = 0;

  beforeAll(async () => {
    // Both at once (each takes seconds), but a failed bundle must not leave the started cluster behind.
    const [started, bundled] = await Promise.allSettled([
      startPostgresCluster({ replicas: 2 }),
      bundlePgWorker(),
    ]);
    if (started.status === 'fulfilled') cluster = started.value;
    if (started.status === 'rejected') throw started.reason;
    if (bundled.status === 'rejected') throw bundled.reason;
    code = bundled.value;
    const [eu, ap] = cluster.replicas;
    if (eu === undefined || ap === undefined) throw new Error('expected two replicas');
    cluster.primary.setLatency(5);
    eu.setLatency(1);
    ap.setLatency(5);
    primarySql = new pg.Client({ connectionString: cluster.primary.directUrl, query_timeout: 10_000 });
    primarySql.on('error', () => undefined);
    await primarySql.connect();
    await primarySql.query('create table note (id serial primary key, body text not null)');
    await primarySql.query("insert into note (body) values ('seed')");
    for (const [name, node] of [
      ['primary', cluster.primary],
      ['replica-eu', eu],
      ['replica-ap', ap],
    ] as const) {
      const client = new pg.Client({ connectionString: node.directUrl, query_timeout: 10_000 });
      await client.connect();
      try {
        const { rows } = await client.query<{ port: number }>('select inet_server_port() as port');
        serverPorts.set(name, rows[0]!.port);
      } finally {
        await client.end();
      }
    }
    await waitForReplicas();
  });

  afterEach(async () => {
    await Promise.allSettled(workers.splice(0).map((worker) => worker.dispose()));
    for (const replica of cluster.replicas) replica.setMode('up');
    await Promise.all(cluster.replicas.map((replica) => replica.setApplyDelay(0)));
    await waitForReplicas();
  });

  afterAll(async () => {
    await Promise.allSettled(workers.map((worker) => worker.dispose()));
    await primarySql?.end().catch(() => undefined);
    await cluster?.stop();
  });

  async function waitForReplicas(): Promise<void> {
    const position = await cluster.primary.currentPosition();
    await Promise.all(cluster.replicas.map((replica) => replica.waitForPosition(position)));
  }

  async function worker(
    variant: { readonly transport: PgTransport; readonly pipeline: boolean },
    vars: Record<string, string> = {},
  ): Promise<RunningPgWorker> {
    const started = await startPgWorker(code, cluster, variant.transport, {
      ...(variant.pipeline ? { PG_PIPELINE: '1' } : {}),
      ...vars,
    });
    workers.push(started);
    return started;
  }

  function uniqueNote(prefix: string): string {
    counter += 1;
    return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  }

  /** The node whose server answered, by its own `inet_server_port()`. */
  function nodeOfPort(port: number | undefined): string | undefined {
    return [...serverPorts].find(([, p]) => p === port)?.[0];
  }

  // Hyperdrive with node-postgres in pipeline mode (pipelinedPostgresReplication): the check rides in the read's
  // round trip through workerd's sockets and Hyperdrive's proxy too.
  const variants = [
    { transport: 'tcp', pipeline: false },
    { transport: 'hyperdrive', pipeline: false },
    { transport: 'hyperdrive', pipeline: true },
  ] as const;
  for (const variant of variants) {
    describe(`${variant.transport}${variant.pipeline ? ' (pipeline mode)' : ''}`, () => {
      it('sends reads to the standbys', async () => {
        const w = await worker(variant);
        for (let i = 0; i < 4; i++) {
          const reply = await w.request('GET', '/read');
          expect(reply.status, JSON.stringify(reply.body)).toBe(200);
          expect(reply.body.server?.standby).toBe(true);
          expect(reply.body.notes).toContain('seed');
          expect(reply.body.routes[0]?.role).toBe('replica');
          // The router's report and the server's own identity agree.
          expect(nodeOfPort(reply.body.server?.port)).toBe(reply.body.routes[0]?.node);
        }
      });

      it('carries a token across requests: read-your-writes while both standbys apply 60 s late', async () => {
        const [eu, ap] = cluster.replicas;
        await Promise.all([eu!.setApplyDelay(60_000), ap!.setApplyDelay(60_000)]);
        const w = await worker(variant);
        const note = uniqueNote('ryw');

        const write = await w.request('POST', `/write?note=${note}`);
        expect(write.status, JSON.stringify(write.body)).toBe(200);
        expect(write.body.routes.map((r) => r.role)).toEqual(['primary']);
        expect(write.token).toMatch(/^[A-Za-z0-9_-]+$/);

        // Control: a new session (no token) reads a standby, which has not applied the write.
        const stale = await w.request('GET', '/read');
        expect(stale.status, JSON.stringify(stale.body)).toBe(200);
        expect(stale.body.server?.standby).toBe(true);
        expect(stale.body.notes).not.toContain(note);

        // The next request carries the token: it must see the write, so only the primary can serve it.
        const fresh = await w.request('GET', '/read', write.token);
        expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
        expect(fresh.body.tokenError).toBeUndefined();
        expect(fresh.body.notes).toContain(note);
        expect(fresh.body.server?.standby).toBe(false);
        expect(fresh.body.routes.at(-1)?.role).toBe('primary');

        // The standbys catch up: the same token is now served by one of them, proven by its check. (With one
        // still behind, which one serves depends on the ranking: a further replica is tried only when twice its
        // check beats the primary's round trip, see test/unit/router/plan/route-plan.test.ts.)
        await Promise.all([eu!.setApplyDelay(0), ap!.setApplyDelay(0)]);
        const position = await cluster.primary.currentPosition();
        await Promise.all([eu!.waitForPosition(position), ap!.waitForPosition(position)]);
        const caughtUp = await w.request('GET', '/read', write.token);
        expect(caughtUp.status, JSON.stringify(caughtUp.body)).toBe(200);
        expect(caughtUp.body.notes).toContain(note);
        expect(caughtUp.body.server?.standby, JSON.stringify(caughtUp.body.routes)).toBe(true);
        expect(['replica-eu', 'replica-ap']).toContain(nodeOfPort(caughtUp.body.server?.port));
      });

      it('runs a transaction on the primary', async () => {
        const w = await worker(variant);
        const note = uniqueNote('tx');
        const reply = await w.request('POST', `/transaction?note=${note}`);
        expect(reply.status, JSON.stringify(reply.body)).toBe(200);
        expect(reply.body.server).toEqual({ standby: false, port: serverPorts.get('primary') });
        expect(reply.body.routes.length).toBeGreaterThan(0);
        for (const route of reply.body.routes) expect(route.role).toBe('primary');
        expect(reply.body.routes.some((route) => route.reason === 'transaction')).toBe(true);
        const { rows } = await primarySql.query('select 1 from note where body = $1', [note]);
        expect(rows).toHaveLength(1);
      });

      // Over Hyperdrive, the origin's refusal reaches the Worker as a connection that ends without an answer
      // (the graceful forwarder in front of the relay; see start-graceful-forwarder.ts).
      it('absorbs crashed standbys: reads fall back, no error reaches the app', async () => {
        const w = await worker(variant);
        const [eu, ap] = cluster.replicas;
        eu!.setMode('down');
        ap!.setMode('down');
        const replies = [];
        for (let i = 0; i < 3; i++) replies.push(await w.request('GET', '/read'));
        for (const reply of replies) {
          expect(reply.status, JSON.stringify(reply.body)).toBe(200);
          expect(reply.body.notes).toContain('seed');
          expect(reply.body.server).toEqual({ standby: false, port: serverPorts.get('primary') });
        }
        // The first read did try a standby and saw it fail.
        const attempts = replies[0]!.body.routes.flatMap((route) => route.attempts);
        expect(attempts.some((a) => a.node.startsWith('replica-') && a.outcome === 'error')).toBe(true);
      });

      it('absorbs a hung standby within the attempt deadline', async () => {
        const w = await worker(variant, { ATTEMPT_TIMEOUT_MS: '500' });
        const [eu, ap] = cluster.replicas;
        eu!.setMode('blackhole');
        ap!.setMode('blackhole');
        const reply = await w.request('GET', '/read');
        expect(reply.status, JSON.stringify(reply.body)).toBe(200);
        expect(reply.body.server).toEqual({ standby: false, port: serverPorts.get('primary') });
        const attempts = reply.body.routes.flatMap((route) => route.attempts);
        expect(attempts.some((a) => a.node.startsWith('replica-') && a.outcome === 'timeout')).toBe(true);
      });
    });
  }
});
