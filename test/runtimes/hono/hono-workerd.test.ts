import { createClient } from '@libsql/client';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LibsqlCluster, startLibsqlCluster } from '../../../src/testing/index.js';
import { bundleEntry, RUNTIME_CONDITIONS } from '../support/bundle-entry.js';

// edge-db/hono in workerd (miniflare) against a real local libSQL cluster: a primary and an embedded
// replica that pulls the primary's WAL frames. Pausing the replica makes its reads visibly stale.
describe('workerd (miniflare): edge-db/hono', () => {
  let cluster: LibsqlCluster;
  let miniflare: Miniflare;

  beforeAll(async () => {
    cluster = await startLibsqlCluster({ replicas: 1 });
    const client = createClient({ url: cluster.primary.url });
    await client.execute('create table entry (id integer primary key, name text not null)');
    await client.execute("insert into entry values (1, 'seed')");
    client.close();
    await cluster.replicas[0]!.waitForIndex(await cluster.primary.replicationIndex());

    const bundle = await bundleEntry('test/runtimes/hono/hono-worker.ts', RUNTIME_CONDITIONS.workerd);
    expect(bundle.nodeImports).toEqual([]);
    miniflare = new Miniflare({
      modules: true,
      script: bundle.code,
      compatibilityDate: '2025-09-01',
      bindings: { PRIMARY_URL: cluster.primary.url, REPLICA_URL: cluster.replicas[0]!.url },
    });
    await miniflare.ready;
  });
  afterAll(async () => {
    await miniflare?.dispose();
    await cluster?.stop();
  });

  const request = (path: string, init?: { method?: string; body?: string; cookie?: string }) =>
    miniflare.dispatchFetch(`http://hono.test${path}`, {
      method: init?.method ?? 'GET',
      ...(init?.body === undefined ? {} : { body: init.body }),
      headers: {
        'content-type': 'application/json',
        ...(init?.cookie === undefined ? {} : { cookie: init.cookie }),
      },
    });

  it('reads its own write in the next request through the token cookie, with Server-Timing', async () => {
    await cluster.replicas[0]!.pause();
    try {
      const write = await request('/entries', { method: 'POST', body: JSON.stringify({ name: 'ada' }) });
      expect(write.status).toBe(201);
      expect(write.headers.get('server-timing')).toMatch(/^db;dur=[\d.]+;desc="primary write"$/);
      const cookie =
        write.headers
          .getSetCookie()
          .find((value) => value.startsWith('edge_db_token='))
          ?.split(';')[0] ?? '';
      expect(cookie).toMatch(/^edge_db_token=[A-Za-z0-9_.-]+$/);
      // Plain http to a host that is not loopback still gets Secure: only local development drops it.
      expect(write.headers.getSetCookie().join()).toMatch(/HttpOnly; Secure/);

      // Without the token the paused replica serves the read, and it has not seen the write.
      const stale = await request('/entries');
      expect(await stale.json()).toEqual(['seed']);
      expect(stale.headers.get('server-timing')).toMatch(/^db;dur=[\d.]+;desc="replica-0 [^"]+"$/);

      // With it, the read reflects the write (the replica is behind, so another node serves it).
      const fresh = await request('/entries', { cookie });
      expect(await fresh.json()).toEqual(['seed', 'ada']);
      expect(fresh.headers.get('server-timing')).toMatch(/desc="primary [^"]+"$/);
      expect(fresh.headers.get('x-edge-db-token')).toBeTruthy();
    } finally {
      await cluster.replicas[0]!.resume();
    }
  });

  it('records one OpenTelemetry span per statement through otelOnRoute', async () => {
    type SpanData = { name: string; attributes: Record<string, unknown>; status: number; durationMs: number };
    const before = ((await (await request('/spans')).json()) as SpanData[]).length;
    const read = await request('/entries');
    expect(read.status).toBe(200);
    const spans = ((await (await request('/spans')).json()) as SpanData[]).slice(before);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      name: 'SELECT',
      status: 0,
      attributes: {
        'db.system': 'sqlite',
        'db.operation.name': 'SELECT',
        'edge_db.role': 'replica',
        'edge_db.node': 'replica-0',
        'edge_db.attempts': 1,
        'edge_db.attempt.outcomes': ['ok'],
      },
    });
    expect(spans[0]?.attributes['edge_db.route.reason']).toEqual(expect.any(String));
    expect(spans[0]?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('destroys every per-request instance after its response (through waitUntil)', async () => {
    type Lifecycle = { built: number; destroyed: number };
    const lifecycle = async () => (await (await request('/lifecycle')).json()) as Lifecycle;
    const before = await lifecycle();
    await request('/entries');
    await request('/entries', { method: 'POST', body: JSON.stringify({ name: 'bo' }) });
    let after = await lifecycle();
    // Destruction runs in waitUntil, after the response: poll, with a bound, until it has happened.
    // Every instance has two drivers (primary and replica).
    for (let attempt = 0; attempt < 100 && after.destroyed < 2 * after.built; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await lifecycle();
    }
    expect(after.built - before.built).toBe(2);
    expect(after.destroyed).toBe(2 * after.built);
  });
});
