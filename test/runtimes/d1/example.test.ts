import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntry, RUNTIME_CONDITIONS } from '../support/bundle-entry.js';

// examples/cloudflare-d1 as wrangler would run it: bundled for workerd, on miniflare's local D1.

let miniflare: Miniflare;

beforeAll(async () => {
  const bundle = await bundleEntry('examples/cloudflare-d1/src/index.ts', RUNTIME_CONDITIONS.workerd);
  expect(bundle.nodeImports).toEqual([]);
  miniflare = new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate: '2025-09-01',
    d1Databases: { DB: 'edge-db-notes' },
    bindings: { TOKEN_SECRET: 'example-secret-that-is-long-enough-0123' },
  });
  await miniflare.ready;
});

afterAll(async () => {
  await miniflare?.dispose();
});

async function call(method: string, path: string, body?: unknown, cookie?: string) {
  const response = await miniflare.dispatchFetch(`http://localhost${path}`, {
    method,
    headers: cookie === undefined ? {} : { cookie },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const setCookie = response.headers.get('set-cookie') ?? '';
  return {
    status: response.status,
    json: (await response.json()) as { data: unknown; token?: string; trace: { cache?: string }[] },
    cookie: /^(edge_db_token=[^;]+)/.exec(setCookie)?.[1],
  };
}

describe('examples/cloudflare-d1', () => {
  it('adds a note, reads it back through the cookie, batches two more', async () => {
    const added = await call('POST', '/notes', { body: 'hello' });
    expect(added.status).toBe(200);
    expect(added.json.data).toMatchObject({ body: 'hello' });
    expect(added.cookie).toBeDefined();
    const listed = await call('GET', '/notes', undefined, added.cookie);
    expect(listed.json.data).toEqual([expect.objectContaining({ body: 'hello' })]);
    const batch = await call('POST', '/notes/batch', undefined, listed.cookie);
    expect(batch.json.data).toEqual({ notes: 3 });
    const again = await call('GET', '/notes', undefined, batch.cookie);
    expect(again.json.data).toHaveLength(3);
  });
});
