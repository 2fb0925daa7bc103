import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type NeonProxy,
  type PostgresCluster,
  postgresHttpRoutes,
  startNeonProxy,
  startPostgresCluster,
} from '../../../src/testing/index.js';
import { bundleEntry, RUNTIME_CONDITIONS } from '../support/bundle-entry.js';

// Local development of a Worker against the local Neon proxy: the Worker (neon-local-proxy-worker.ts),
// bundled for workerd and run by miniflare, reaches a real PostgreSQL primary and hot standby through the
// proxy, configured only by neonLocalProxySettings(env.NEON_LOCAL_PROXY, url) from edge-db/neon.

let cluster: PostgresCluster;
let proxy: NeonProxy;
let miniflare: Miniflare;

beforeAll(async () => {
  cluster = await startPostgresCluster({ replicas: 1 });
  proxy = await startNeonProxy({ httpRoute: postgresHttpRoutes(cluster) });
  const bundle = await bundleEntry(
    'test/runtimes/workerd/neon-local-proxy-worker.ts',
    RUNTIME_CONDITIONS.workerd,
  );
  expect(bundle.nodeImports).toEqual([]);
  miniflare = new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate: '2025-09-01',
    bindings: {
      NEON_LOCAL_PROXY: proxy.url,
      PRIMARY_URL: cluster.primary.url,
      REPLICA_URL: cluster.replicas[0]!.url,
    },
  });
  await miniflare.ready;
});

afterAll(async () => {
  await miniflare?.dispose();
  await proxy?.close();
  await cluster?.stop();
});

interface WorkerReply {
  readonly status: number;
  readonly rows?: Record<string, unknown>[];
  readonly webSocket?: boolean;
  readonly error?: { name?: string; message?: string; code?: string };
}

async function ask(query: Record<string, unknown>): Promise<WorkerReply> {
  const response = await miniflare.dispatchFetch('http://worker.local/', {
    method: 'POST',
    body: JSON.stringify(query),
  });
  return { status: response.status, ...((await response.json()) as object) };
}

describe('workerd: a Worker on the local Neon proxy with neonLocalProxySettings from edge-db/neon', () => {
  it('writes on the primary over both transports and reads the row back from the hot standby', async () => {
    const before = proxy.stats();
    const created = await ask({
      node: 'primary',
      transport: 'http',
      sql: 'create table if not exists local_worker_notes (id serial primary key, body text not null)',
    });
    expect(created).toMatchObject({ status: 200, webSocket: true });

    const inserted = await ask({
      node: 'primary',
      transport: 'websocket',
      sql: 'insert into local_worker_notes (body) values ($1) returning id, pg_is_in_recovery() as recovery',
      params: ['from workerd'],
    });
    expect(inserted).toMatchObject({ status: 200, rows: [{ recovery: false }] });
    const id = inserted.rows?.[0]?.id;

    await cluster.replicas[0]!.waitForPosition(await cluster.primary.currentPosition());
    const read = await ask({
      node: 'replica',
      transport: 'http',
      sql: 'select body, pg_is_in_recovery() as recovery from local_worker_notes where id = $1',
      params: [id],
    });
    expect(read).toEqual({ status: 200, webSocket: true, rows: [{ body: 'from workerd', recovery: true }] });

    // Both transports went through the local proxy (SQL over HTTP on /sql, the WebSocket relay on /v1).
    const after = proxy.stats();
    expect(after.sqlRequests).toBeGreaterThanOrEqual(before.sqlRequests + 2);
    expect(after.relaysOpened).toBeGreaterThanOrEqual(before.relaysOpened + 1);
  });

  it('refuses a proxy URL that is not http(s) with CONFIG_INVALID inside workerd', async () => {
    const reply = await ask({
      node: 'primary',
      transport: 'http',
      sql: 'select 1',
      proxyUrl: 'ftp://127.0.0.1:1',
    });
    expect(reply).toMatchObject({
      status: 500,
      error: { name: 'EdgeDbError', code: 'CONFIG_INVALID', message: expect.stringContaining('http://') },
    });
  });
});
