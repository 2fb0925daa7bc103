import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { isolateCache } from '../../../src/cache/index.js';
import {
  type EdgeDbConfig,
  type RouteEvent,
  readToken,
  resetClusterState,
  sessionInfo,
} from '../../../src/index.js';
import { edgeDbMiddleware } from '../../../src/integrations/hono/index.js';
import { regions } from '../../../src/regions/index.js';
import { fakeCluster } from '../../support/recording-dialect.js';

interface DB {
  person: { id: number; name: string };
}

afterEach(() => resetClusterState());

/** A recording execution context: what the middleware handed to waitUntil, to settle after the response. */
function executionContext() {
  const pending: Promise<unknown>[] = [];
  return {
    pending,
    ctx: {
      waitUntil: (promise: Promise<unknown>) => void pending.push(promise),
      passThroughOnException: () => undefined,
      props: {},
    },
  };
}

/** An app over a fake primary + one replica, with the routes the tests drive. */
function guestbook(options: Partial<Parameters<typeof edgeDbMiddleware<DB>>[0]> = {}) {
  const fake = fakeCluster(1);
  const events: RouteEvent[] = [];
  const config = (): EdgeDbConfig => ({
    primary: fake.primary,
    replicas: fake.replicas,
    cluster: 'hono-unit',
    onRoute: (event) => events.push(event),
  });
  const app = new Hono()
    .use(edgeDbMiddleware<DB>({ config, ...options }))
    .get('/people', async (c) => c.json(await c.get('db').selectFrom('person').selectAll().execute()))
    .post('/people', async (c) => {
      await c.var.db.insertInto('person').values({ id: 1, name: 'Ada' }).execute();
      return c.json({ ok: true }, 201);
    });
  return { app, fake, events };
}

function cookieOf(response: Response): string | undefined {
  return response.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith('edge_db_token='))
    ?.split(';')[0];
}

describe('edgeDbMiddleware (Hono, fake cluster)', () => {
  it('carries read-your-writes to the next request through the token cookie', async () => {
    const { app, fake } = guestbook();
    const write = await app.request('http://app.test/people', { method: 'POST' });
    expect(write.status).toBe(201);
    const cookie = cookieOf(write);
    expect(cookie).toMatch(/^edge_db_token=[A-Za-z0-9_.-]+$/);
    expect(write.headers.get('x-edge-db-token')).toBe(cookie?.split('=')[1]);

    // The replica has not applied the write: without the cookie it serves the (stale) read...
    await app.request('http://app.test/people');
    expect(fake.cluster.whoRan('from "person"')).toBe('replica-0');
    // ...with it, the read goes where the write is visible.
    await app.request('http://app.test/people', { headers: { cookie: `${cookie}` } });
    expect(fake.cluster.whoRan('from "person"')).toBe('primary');
    // Once the replica caught up, the same cookie reads there again.
    fake.cluster.node('replica-0').position = fake.cluster.primaryPosition;
    await app.request('http://app.test/people', { headers: { cookie: `${cookie}` } });
    expect(fake.cluster.whoRan('from "person"')).toBe('replica-0');
  });

  it('reads the token from the header too, and the config may start a fresh session instead', async () => {
    const first = guestbook();
    const token = (await first.app.request('http://app.test/people', { method: 'POST' })).headers.get(
      'x-edge-db-token',
    );
    expect(token).toBeTruthy();
    await first.app.request('http://app.test/people', { headers: { 'x-edge-db-token': `${token}` } });
    expect(first.fake.cluster.whoRan('from "person"')).toBe('primary');

    let required: string | undefined = 'unset';
    const app = new Hono().use(
      edgeDbMiddleware<DB>({
        config: () => ({
          primary: first.fake.primary,
          replicas: first.fake.replicas,
          cluster: 'hono-unit',
          consistency: { token: null },
        }),
      }),
    );
    app.get('/', async (c) => {
      required = (await sessionInfo(c.get('db'))).requiredPosition;
      return c.text('ok');
    });
    await app.request('http://app.test/', { headers: { 'x-edge-db-token': `${token}` } });
    expect(required).toBeUndefined();
  });

  it('adds one Server-Timing entry per statement and keeps the handler’s headers and cookies', async () => {
    const { app, events } = guestbook();
    app.get('/both', async (c) => {
      c.header('Server-Timing', 'app;dur=1');
      c.header('set-cookie', 'theme=dark', { append: true });
      await c.get('db').selectFrom('person').selectAll().execute();
      await c.get('db').insertInto('person').values({ id: 2, name: 'Bo' }).execute();
      return c.text('ok');
    });
    const response = await app.request('http://app.test/both');
    const timing = response.headers.get('server-timing') ?? '';
    expect(timing.startsWith('app;dur=1, ')).toBe(true);
    const entries = timing.split(', ').slice(1);
    expect(entries).toHaveLength(events.length);
    expect(entries[0]).toMatch(/^db;dur=[\d.]+;desc="replica-0 nearest"$/);
    expect(entries[1]).toMatch(/^db;dur=[\d.]+;desc="primary write"$/);
    expect(response.headers.getSetCookie()).toEqual(['theme=dark', expect.stringMatching(/^edge_db_token=/)]);
  });

  it('destroys the instance after the response, through waitUntil when the runtime has one', async () => {
    const { app, fake } = guestbook();
    const { ctx, pending } = executionContext();
    const response = await app.request('http://app.test/people', undefined, {}, ctx);
    expect(response.status).toBe(200);
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    expect(fake.cluster.node('replica-0').destroyCalls).toBe(1);
    expect(fake.cluster.node('primary').destroyCalls).toBe(1);
    expect(fake.cluster.openConnections()).toEqual([]);

    // Without an execution context (Node, Deno) the middleware waits for it before returning.
    await app.request('http://app.test/people');
    expect(fake.cluster.node('replica-0').destroyCalls).toBe(2);
  });

  it('destroys the instance only after the cache refreshes it started (stale-while-revalidate)', async () => {
    let now = 1_000_000;
    const fake = fakeCluster(1);
    const replica = fake.cluster.node('replica-0');
    // Each read of the replica's rows notes whether its driver had been destroyed by then.
    const destroyedWhenRead: number[] = [];
    Object.defineProperty(replica, 'rows', {
      get: () => {
        destroyedWhenRead.push(replica.destroyCalls);
        return [{ id: 1, name: 'Ada' }];
      },
    });
    replica.delayMs = 5;
    const app = new Hono()
      .use(
        edgeDbMiddleware<DB>({
          config: () => ({
            primary: fake.primary,
            replicas: fake.replicas,
            cluster: 'hono-swr',
            consistency: 'eventual',
            cache: isolateCache({ ttlMs: 100, swrMs: 60_000 }),
            now: () => now,
          }),
        }),
      )
      .get('/', async (c) => c.json(await c.get('db').selectFrom('person').selectAll().execute()));
    const { ctx, pending } = executionContext();
    await app.request('http://app.test/', undefined, {}, ctx);
    await Promise.all(pending.splice(0));
    now += 1_000; // past the TTL, inside the SWR window: served stale, refreshed in the background
    await app.request('http://app.test/', undefined, {}, ctx);
    await Promise.allSettled(pending.splice(0));
    expect(destroyedWhenRead).toEqual([0, 1]); // the refresh of request 2 ran before its instance was destroyed
    expect(replica.destroyCalls).toBe(2);
  });

  it('destroys the instance and still carries the token when the handler throws after a write', async () => {
    const { app, fake } = guestbook();
    app.onError((_, c) => c.text('failed', 500));
    app.post('/fail', async (c) => {
      await c.get('db').insertInto('person').values({ id: 3, name: 'Cy' }).execute();
      throw new Error('after the write');
    });
    const response = await app.request('http://app.test/fail', { method: 'POST' });
    expect(response.status).toBe(500);
    expect(cookieOf(response)).toBeDefined();
    expect(fake.cluster.node('primary').destroyCalls).toBe(1);
  });

  it('leaves responses alone when the handler did not touch the database', async () => {
    const { app, fake } = guestbook();
    app.get('/static', (c) => c.text('static'));
    const response = await app.request('http://app.test/static', {
      headers: { cookie: 'edge_db_token=abc' },
    });
    expect(await response.text()).toBe('static');
    expect(response.headers.get('server-timing')).toBeNull();
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(fake.cluster.node('primary').initCalls).toBe(0);
  });

  it('reports a token that cannot be minted and still sends the response', async () => {
    const errors: unknown[] = [];
    const fake = fakeCluster(1, { replication: 'probe' });
    const app = new Hono().use(
      edgeDbMiddleware<DB>({
        config: () => ({ primary: fake.primary, replicas: fake.replicas, cluster: 'hono-probe' }),
        onError: (error) => errors.push(error),
      }),
    );
    app.post('/', async (c) => {
      await c.get('db').insertInto('person').values({ id: 4, name: 'Di' }).execute();
      // The write committed; its position must be asked of the primary, which is now unreachable.
      fake.cluster.node('primary').connectFailWith = new Error('primary unreachable');
      return c.text('written', 201);
    });
    const response = await app.request('http://app.test/', { method: 'POST' });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('written');
    expect(cookieOf(response)).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ message: 'primary unreachable' })]);
  });

  it('honours token options: names, no cookie, Secure except on plain-http loopback', async () => {
    const custom = guestbook({ token: { header: 'x-session', cookie: false } });
    const response = await custom.app.request('http://app.test/people', { method: 'POST' });
    const token = response.headers.get('x-session');
    expect(token).toBeTruthy();
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(
      readToken(new Request('http://x', { headers: { 'x-session': `${token}` } }), { header: 'x-session' }),
    ).toBe(token);

    const { app } = guestbook();
    const local = await app.request('http://localhost:8787/people', { method: 'POST' });
    expect(local.headers.getSetCookie()[0]).not.toMatch(/Secure/);
    const remote = await app.request('https://app.test/people', { method: 'POST' });
    expect(remote.headers.getSetCookie()[0]).toMatch(/; Secure$/);

    const off = guestbook({ token: false, serverTiming: false });
    const plain = await off.app.request('http://app.test/people', { method: 'POST' });
    expect(plain.headers.get('x-edge-db-token')).toBeNull();
    expect(plain.headers.get('server-timing')).toBeNull();
  });

  it('ranks replicas by the caller’s location from the request unless the config sets one', async () => {
    const fake = fakeCluster(2);
    const replicas = [
      { ...fake.replicas[0]!, region: 'aws-us-east-1' },
      { ...fake.replicas[1]!, region: 'aws-ap-southeast-1' },
    ];
    const readFrom = async (location: EdgeDbConfig['location'] | undefined, round: number) => {
      const app = new Hono()
        .use(
          edgeDbMiddleware<DB>({
            config: () => ({
              primary: fake.primary,
              replicas,
              // A fresh cluster each round: no latency measured yet, so only distance can rank.
              cluster: `hono-location-${round}-${location === undefined}`,
              regions,
              ...(location === undefined ? {} : { location }),
            }),
          }),
        )
        .get('/', async (c) => c.json(await c.get('db').selectFrom('person').selectAll().execute()));
      await app.request('http://app.test/', { headers: singapore });
      return fake.cluster.whoRan('from "person"');
    };
    const singapore = { 'x-vercel-ip-latitude': '1.35', 'x-vercel-ip-longitude': '103.82' };
    // Without a location the two unmeasured replicas tie and either may serve; 8 rounds make a lucky pass
    // of a middleware that dropped the request's location a 1-in-256 event.
    for (let round = 0; round < 8; round++) {
      expect(await readFrom(undefined, round)).toBe('replica-1');
      expect(await readFrom({ region: 'aws-us-east-1' }, round)).toBe('replica-0');
    }
  });
});
