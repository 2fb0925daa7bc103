import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToken } from '../../../src/consistency/consistency-token.js';
import { bookmarkPosition } from '../../../src/drivers/d1/index.js';
import { bundleEntry, RUNTIME_CONDITIONS } from '../support/bundle-entry.js';

// edge-db/d1 in workerd against miniflare's local D1 (real bookmarks, sessions, batches and errors; no
// replicas, so replica routing is covered by test/unit/consistency/d1-sessions.test.ts against a fake).

let miniflare: Miniflare;

beforeAll(async () => {
  const bundle = await bundleEntry('test/runtimes/d1/d1-worker.ts', RUNTIME_CONDITIONS.workerd);
  expect(bundle.nodeImports).toEqual([]);
  miniflare = new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate: '2025-09-01',
    d1Databases: { DB: 'edge-db-d1-test' },
    bindings: { TOKEN_SECRET: 'a-d1-test-secret-that-is-long-enough-0123' },
  });
  await miniflare.ready;
  expect((await ask('POST', '/setup')).data).toBe('ok');
});

afterAll(async () => {
  await miniflare?.dispose();
});

interface Reply {
  readonly data: unknown;
  readonly sessionsStarted: string[];
  readonly tokenError?: string;
  readonly requiredPosition?: string;
  readonly events: { node: string; reason: string; cache?: string; detail?: string }[];
  readonly token: string | undefined;
}

/** One request; `token` goes in the cookie, as a browser would send it back. */
async function ask(method: string, path: string, body?: unknown, token?: string): Promise<Reply> {
  const response = await miniflare.dispatchFetch(`http://worker.local${path}`, {
    method,
    headers: token === undefined ? {} : { cookie: `edge_db_token=${token}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status).toBe(200);
  const cookie = response.headers.get('set-cookie') ?? '';
  const fromCookie = /edge_db_token=([^;]+)/.exec(cookie)?.[1];
  return { ...((await response.json()) as Omit<Reply, 'token'>), token: fromCookie };
}

describe('workerd: edge-db/d1 on miniflare D1', () => {
  it('writes and reads rows, and carries the bookmark to the next request through the cookie', async () => {
    const written = await ask('POST', '/notes', { body: 'first' });
    expect(written.data).toMatchObject({ body: 'first' });
    expect(written.sessionsStarted).toEqual(['first-unconstrained']);
    expect(written.token).toBeDefined();
    const payload = await decodeToken(written.token!, { unverified: true });
    expect(payload.family).toBe('d1');
    // the token carries D1's whole bookmark; its position orders it
    expect(payload.positionText).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]+$/);
    expect(payload.position).toBe(bookmarkPosition(payload.positionText));

    const read = await ask('GET', '/notes', undefined, written.token);
    expect(read.sessionsStarted).toEqual([payload.positionText]);
    expect(read.tokenError).toBeUndefined();
    expect(read.data).toEqual(expect.arrayContaining([expect.objectContaining({ body: 'first' })]));
    expect(BigInt(read.requiredPosition!)).toBeGreaterThanOrEqual(payload.position);
    // the reply's token is at least as new as the one it continued from
    const next = await decodeToken(read.token!, { unverified: true });
    expect(next.positionText! >= payload.positionText!).toBe(true);
  });

  it('starts strong sessions at the primary', async () => {
    const strong = await ask('GET', '/notes?strong');
    expect(strong.sessionsStarted).toEqual(['first-primary']);
  });

  it('refuses a tampered signed token and starts a fresh session', async () => {
    const written = await ask('POST', '/notes', { body: 'signed' });
    const [body, mac] = written.token!.split('.');
    const tampered = `${body}.${mac!.startsWith('A') ? 'B' : 'A'}${mac!.slice(1)}`;
    const read = await ask('GET', '/notes', undefined, tampered);
    expect(read.tokenError).toBe('TOKEN_SIGNATURE_INVALID');
    expect(read.sessionsStarted).toEqual(['first-unconstrained']);
  });

  it('caches reads for sessions at or past their bookmark and drops them on writes', async () => {
    const written = await ask('POST', '/notes', { body: 'cached' });
    const first = await ask('GET', '/notes?cache', undefined, written.token);
    expect(first.events.at(-1)?.cache).toBe('miss');
    const second = await ask('GET', '/notes?cache', undefined, written.token);
    expect(second.events.at(-1)).toMatchObject({ node: 'cache', cache: 'hit' });
    expect(second.data).toEqual(first.data);

    const after = await ask('POST', '/notes?cache', { body: 'invalidates' }, second.token);
    const third = await ask('GET', '/notes?cache', undefined, after.token);
    expect(third.events.at(-1)?.cache).toBe('miss');
    expect(third.data).toEqual(expect.arrayContaining([expect.objectContaining({ body: 'invalidates' })]));
  });

  it('runs a typed batch atomically; db.transaction() is UNSUPPORTED and points at d1Batch', async () => {
    const before = (await ask('GET', '/notes')).data as unknown[];
    const batch = await ask('POST', '/batch', { bodies: ['b1', 'b2'] });
    expect(batch.data).toBe(before.length + 2);
    const tx = await ask('POST', '/transaction');
    expect(tx.data).toMatchObject({
      error: { code: 'UNSUPPORTED', message: expect.stringContaining('d1Batch') },
    });
    expect(((await ask('GET', '/notes')).data as unknown[]).length).toBe(before.length + 2);
  });

  it("passes D1's own errors through", async () => {
    const missing = await ask('GET', '/missing');
    expect(missing.data).toMatchObject({
      error: {
        message: expect.stringMatching(/^D1_ERROR: no such table: missing_table/),
        code: 'SQLITE_ERROR',
      },
    });
    expect((missing.data as { error: { name: string } }).error.name).not.toBe('EdgeDbError');
  });
});
