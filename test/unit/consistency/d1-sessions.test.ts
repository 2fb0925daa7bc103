import { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { isolateCache } from '../../../src/cache/index.js';
import { decodeToken, encodeToken, importTokenSecret } from '../../../src/consistency/consistency-token.js';
import { bookmarkPosition, d1, d1Batch } from '../../../src/drivers/d1/index.js';
import {
  consistencyToken,
  EdgeDbError,
  edgeDb,
  mergeTokens,
  type RouteEvent,
  resetClusterState,
  sessionInfo,
} from '../../../src/index.js';
import { FakeD1, fakeBookmark } from './fake-d1.js';

// D1 sessions through edge-db against a fake D1 with lagging replicas (local D1 has none): which session
// each request starts, what its token carries, and where D1 served it. The workerd suite covers real D1.

interface DB {
  person: { id: number; name: string };
}

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
afterEach(() => resetClusterState());

function request(fake: FakeD1, consistency: object = {}, extra: object = {}) {
  const events: RouteEvent[] = [];
  const db = edgeDb<DB>({
    primary: d1({ binding: fake, name: 'shop' }),
    consistency: { secret: SECRET, ...consistency },
    onRoute: (e) => events.push(e),
    ...extra,
  });
  return { db, events };
}

describe('bookmarks as positions', () => {
  it('orders bookmarks like D1 does (string order) and rejects other text', () => {
    const bookmarks = [0, 1, 2, 255, 256, 0xffffffff].map(fakeBookmark);
    const positions = bookmarks.map((b) => bookmarkPosition(b)!);
    expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
    expect([...bookmarks].sort()).toEqual(bookmarks);
    expect(bookmarkPosition('00000001-00000000-00000000-ab')).toBe(1n << 64n);
    expect(bookmarkPosition('first-primary')).toBeUndefined();
    expect(bookmarkPosition(null)).toBeUndefined();
  });
});

describe('d1() backend', () => {
  it('needs a binding with the Sessions API and a name when the binding has no id', () => {
    expect(() => d1({ binding: {} as never, name: 'x' })).toThrow(EdgeDbError);
    expect(() => d1({ binding: new FakeD1() })).toThrow(/needs a `name`/);
    const withId = Object.assign(new FakeD1(), { databaseId: 'a1b2' });
    expect(d1({ binding: withId }).id).toBe('d1:a1b2');
  });

  it('works alone as a Kysely dialect, refuses transactions and runs typed batches', async () => {
    const fake = new FakeD1();
    const db = new Kysely<DB>({ dialect: d1({ binding: fake, name: 'alone' }).dialect });
    await db.insertInto('person').values({ id: 1, name: 'Ada' }).execute();
    expect(await db.selectFrom('person').selectAll().execute()).toEqual([{ id: 1, name: 'Ada' }]);
    expect(fake.sessionsStarted).toEqual(['first-unconstrained']);
    await expect(db.transaction().execute(async () => undefined)).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringContaining('d1Batch'),
    });
    const [inserted, people] = await d1Batch(db, [
      db.insertInto('person').values({ id: 2, name: 'Grace' }),
      db.selectFrom('person').select('name'),
    ]);
    expect(inserted).toEqual([]);
    const names: string[] = people.map((p) => p.name);
    expect(names).toEqual(['Ada', 'Grace']);
  });
});

describe('edgeDb over D1 sessions', () => {
  it('starts without a token unconstrained, or at the primary for strong consistency', async () => {
    const fake = new FakeD1();
    await request(fake).db.selectFrom('person').selectAll().execute();
    await request(fake, {}, { consistency: 'strong' }).db.selectFrom('person').selectAll().execute();
    expect(fake.sessionsStarted).toEqual(['first-unconstrained', 'first-primary']);
  });

  it('carries the bookmark to the next request: it reads its write although the replica lags', async () => {
    const fake = new FakeD1();
    const writer = request(fake);
    await writer.db.insertInto('person').values({ id: 1, name: 'Ada' }).execute();
    const token = await consistencyToken(writer.db);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(writer.events.at(-1)?.detail).toContain('served_by_primary=true');

    const reader = request(fake, { token });
    expect(await reader.db.selectFrom('person').selectAll().execute()).toEqual([{ id: 1, name: 'Ada' }]);
    expect(fake.sessionsStarted.at(-1)).toBe(fakeBookmark(1));
    expect(reader.events.at(-1)?.detail).toContain('served_by_region=ENAM served_by_primary=true');
    // D1 chose where to serve the read, not edge-db: the event says so rather than `no-replica`.
    expect(reader.events.at(-1)).toMatchObject({ node: 'shop', role: 'primary', reason: 'database' });

    // without the token, the lagging replica answers (what read-your-writes protects against)
    const stranger = request(fake);
    expect(await stranger.db.selectFrom('person').selectAll().execute()).toEqual([]);
    expect(stranger.events.at(-1)?.detail).toContain('served_by_region=WEUR served_by_primary=false');
    expect(stranger.events.at(-1)?.reason).toBe('database');

    // once the replica caught up, the token's session is served there
    fake.catchUp();
    const later = request(fake, { token });
    expect(await later.db.selectFrom('person').selectAll().execute()).toHaveLength(1);
    expect(later.events.at(-1)?.detail).toContain('served_by_primary=false');
  });

  it('ignores forged and foreign tokens: the session starts unconstrained', async () => {
    const fake = new FakeD1();
    const writer = request(fake, { secret: undefined });
    await writer.db.insertInto('person').values({ id: 1, name: 'Ada' }).execute();
    const unsigned = await consistencyToken(writer.db);
    const reader = request(fake, { token: unsigned });
    expect((await sessionInfo(reader.db)).tokenError).toMatchObject({ code: 'TOKEN_SIGNATURE_INVALID' });
    expect(fake.sessionsStarted.at(-1)).toBe('first-unconstrained');
  });

  it('mergeTokens keeps the token with the newer bookmark', async () => {
    const fake = new FakeD1();
    const first = request(fake);
    await first.db.insertInto('person').values({ id: 1, name: 'a' }).execute();
    const older = await consistencyToken(first.db);
    const second = request(fake);
    await second.db.insertInto('person').values({ id: 2, name: 'b' }).execute();
    await second.db.insertInto('person').values({ id: 3, name: 'c' }).execute();
    const newer = await consistencyToken(second.db);
    expect(await mergeTokens(older, newer)).toBe(newer);
    expect(await mergeTokens(newer, older)).toBe(newer);
    const resumed = request(fake, { token: await mergeTokens(older, newer) });
    await resumed.db.selectFrom('person').selectAll().execute();
    expect(fake.sessionsStarted.at(-1)).toBe(fakeBookmark(3));
  });

  it('caches reads stamped with bookmarks: a session never gets an entry older than its bookmark', async () => {
    const fake = new FakeD1();
    const cache = { cache: isolateCache({ ttlMs: 60_000 }) };
    const seed = request(fake, {}, cache);
    await seed.db.insertInto('person').values({ id: 1, name: 'Ada' }).execute();
    const seedToken = (await consistencyToken(seed.db))!;
    // a session at bookmark 1 loads the entry (the replica lags: D1 serves it from the primary)
    const loader = request(fake, { token: seedToken }, cache);
    expect(await loader.db.selectFrom('person').selectAll().execute()).toHaveLength(1);
    expect(loader.events.at(-1)?.cache).toBe('miss');
    const again = request(fake, { token: seedToken }, cache);
    expect(await again.db.selectFrom('person').selectAll().execute()).toHaveLength(1);
    expect(again.events.at(-1)).toMatchObject({ node: 'cache', cache: 'hit' });

    // another isolate writes (this isolate's cache cannot know): its token names bookmark 2
    fake.primary.version = 2;
    fake.primary.rows.get('person')!.push({ id: 2, name: 'Grace' });
    const { cluster } = await decodeToken(seedToken, { unverified: true });
    const newer = await encodeToken(
      {
        cluster,
        family: 'd1',
        position: bookmarkPosition(fakeBookmark(2))!,
        positionText: fakeBookmark(2),
        issuedAt: Date.now() / 1000,
      },
      await importTokenSecret(SECRET),
    );
    const fresh = request(fake, { token: newer }, cache);
    expect(await fresh.db.selectFrom('person').selectAll().execute()).toHaveLength(2);
    expect(fresh.events.at(-1)).toMatchObject({
      node: 'shop',
      cache: 'bypass',
      cacheReason: 'token-newer-than-entry',
    });
  });

  it('invalidates cached reads on writes through the instance', async () => {
    const fake = new FakeD1();
    const cache = { cache: isolateCache({ ttlMs: 60_000 }) };
    const seed = request(fake, {}, cache);
    await seed.db.insertInto('person').values({ id: 1, name: 'Ada' }).execute();
    const token = await consistencyToken(seed.db);
    await request(fake, { token }, cache).db.selectFrom('person').selectAll().execute();
    const writer = request(fake, { token }, cache);
    await writer.db.selectFrom('person').selectAll().execute();
    expect(writer.events.at(-1)?.cache).toBe('hit');
    await writer.db.insertInto('person').values({ id: 2, name: 'Grace' }).execute();
    expect(await writer.db.selectFrom('person').selectAll().execute()).toHaveLength(2);
    expect(writer.events.at(-1)?.cache).toBe('miss');
  });

  it("passes D1's own errors through unchanged", async () => {
    const fake = new FakeD1();
    const { db } = request(fake);
    const error = await db
      .selectFrom('no_such_table' as 'person')
      .selectAll()
      .execute()
      .catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(EdgeDbError);
    expect(error).toMatchObject({
      message: expect.stringMatching(/^D1_ERROR: no such table/),
      code: 'SQLITE_ERROR',
    });
  });
});
