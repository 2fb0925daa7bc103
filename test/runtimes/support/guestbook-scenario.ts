import { expect } from 'vitest';
import type { TraceEntry } from '../../../examples/shared/guestbook.js';
import type { GuestbookTarget } from './local-clusters.js';

/** Sends one request to the guestbook running in some runtime; `path` starts with `/`. */
export type GuestbookFetch = (
  path: string,
  init?: { method?: string; body?: unknown; cookie?: string },
) => Promise<Response>;

interface GuestbookReply {
  readonly status: number;
  readonly data: any;
  readonly trace: readonly TraceEntry[];
  readonly token: string | null;
  readonly setCookie: string | null;
  readonly error?: unknown;
}

/** What the scenario saw, for tests that want to print or check more. */
export interface ScenarioReport {
  readonly replies: readonly { readonly step: string; readonly reply: GuestbookReply }[];
}

/**
 * Drives the guestbook through the code paths every runtime must support, asserting as it goes:
 * DDL on the primary, a read on a replica, a write on the primary that returns a token (header and cookie),
 * a read with that token while every replica is paused (must see the write; the same read without the token
 * must not, which proves the replicas really were behind), a cache hit, and a
 * transaction on the primary.
 */
export async function runGuestbookScenario(
  send: GuestbookFetch,
  target: GuestbookTarget,
): Promise<ScenarioReport> {
  const replies: { step: string; reply: GuestbookReply }[] = [];
  const call = async (step: string, path: string, init?: Parameters<GuestbookFetch>[1]) => {
    const reply = await read(await send(path, init));
    replies.push({ step, reply });
    expect(reply.error, `${target.driver} ${step}: ${JSON.stringify(reply.error)}`).toBeUndefined();
    expect(reply.status, `${target.driver} ${step}`).toBe(200);
    return reply;
  };

  const setup = await call('setup', '/setup', { method: 'POST' });
  expect(setup.trace.map((t) => t.node)).toContain('primary');
  // The next read carries no token (a first visit): it may go to a replica that has not replayed the table's
  // creation yet (42P01, seen once in a Deno run). Wait for the replicas, as a deployed app would have.
  await target.catchUp();

  const first = await call('read', '/entries');
  expect(Array.isArray(first.data)).toBe(true);
  expect(
    first.trace.some((t) => t.node.startsWith('replica-')),
    JSON.stringify(first.trace),
  ).toBe(true);

  await target.pauseReplicas();
  let written: GuestbookReply;
  try {
    written = await call('write', '/entries', {
      method: 'POST',
      body: { name: 'ada', message: `hello from ${target.driver}` },
    });
    expect(written.trace.every((t) => t.node === 'primary')).toBe(true);
    expect(written.data.id).toBeGreaterThan(0);
    expect(written.token).toMatch(/^[A-Za-z0-9_-]+/);
    expect(written.setCookie).toContain(`edge_db_token=${written.token}`);

    const withoutToken = await call('read without token', `/entries/${written.data.id}`);
    expect(withoutToken.trace.some((t) => t.node.startsWith('replica-'))).toBe(true);
    expect(withoutToken.data, 'paused replicas must not have the row yet').toBeNull();

    const withTokenReply = await call('read with token', `/entries/${written.data.id}`, {
      cookie: `theme=dark; edge_db_token=${written.token}`,
    });
    expect(withTokenReply.data).toMatchObject({ id: written.data.id, name: 'ada' });
    // The token's requirement: a position (libSQL), or the write's transaction id (PostgreSQL, Neon).
    const required = withTokenReply.trace.at(-1);
    expect(
      required?.requiredPosition ?? required?.requiredTransactions,
      JSON.stringify(required),
    ).toBeDefined();
  } finally {
    await target.resumeReplicas();
  }

  const warm = await call('cached read (fill)', '/entries');
  const hit = await call('cached read (hit)', '/entries');
  expect(
    warm.trace.some((t) => t.cache === 'miss' || t.cache === 'hit'),
    JSON.stringify(warm.trace),
  ).toBe(true);
  expect(
    hit.trace.some((t) => t.cache === 'hit' && t.node === 'cache'),
    JSON.stringify(hit.trace),
  ).toBe(true);
  expect(hit.data).toEqual(warm.data);

  const batch = await call('transaction', '/entries/batch', {
    method: 'POST',
    body: {
      entries: [
        { name: 'bob', message: 'one' },
        { name: 'cy', message: 'two' },
      ],
    },
  });
  expect(batch.data.ids).toHaveLength(2);
  expect(batch.data.total).toBeGreaterThanOrEqual(3);
  expect(batch.trace.length).toBeGreaterThanOrEqual(3);
  expect(
    batch.trace.every((t) => t.node === 'primary'),
    JSON.stringify(batch.trace),
  ).toBe(true);
  return { replies };
}

async function read(response: Response): Promise<GuestbookReply> {
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: text };
  }
  return {
    status: response.status,
    data: body.data,
    trace: body.trace ?? [],
    token: body.token ?? null,
    setCookie: response.headers.get('set-cookie'),
    ...(body.error === undefined ? {} : { error: body.error }),
  };
}

/** Builds the fetch init a runtime client sends for a scenario step. */
export function toRequestInit(init: Parameters<GuestbookFetch>[1] = {}): RequestInit {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.cookie !== undefined) headers.cookie = init.cookie;
  return {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  };
}
