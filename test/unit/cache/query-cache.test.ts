import { describe, expect, it } from 'vitest';
import { QueryCache } from '../../../src/cache/query-cache.js';
import { EdgeDbError } from '../../../src/errors/edge-db-error.js';
import { controlledLoader, countingLoader, settle } from './fake-loader.js';

interface Row {
  id: number;
  name: string;
}

function setup(options: { ttlMs?: number; swrMs?: number; maxBytes?: number } = {}) {
  const clock = { now: 1_000 };
  const cache = new QueryCache({
    ttlMs: 100,
    swrMs: 0,
    maxBytes: 1_000_000,
    ...options,
    now: () => clock.now,
  });
  return { cache, clock };
}

const tables = ['person'];

describe('QueryCache options', () => {
  it.each([
    [{ maxBytes: 0 }, 'edge-db: QueryCache option maxBytes must be a positive integer, got 0'],
    [{ maxBytes: 1.5 }, 'edge-db: QueryCache option maxBytes must be a positive integer, got 1.5'],
    [{ ttlMs: -1 }, 'edge-db: QueryCache option ttlMs must be a positive integer, got -1'],
    [{ ttlMs: '5' }, 'edge-db: QueryCache option ttlMs must be a positive integer, got "5"'],
    [{ swrMs: Number.NaN }, 'edge-db: QueryCache option swrMs must be a non-negative integer, got NaN'],
    [
      { maxBytes: 10, maxEntryBytes: 11 },
      'edge-db: QueryCache option maxEntryBytes must not exceed maxBytes (10), got 11',
    ],
    [{ now: 5 }, 'edge-db: QueryCache option now must be a function returning milliseconds, got 5'],
  ])('rejects %o', (options, message) => {
    const create = () => new QueryCache(options as never);
    expect(create).toThrow(EdgeDbError);
    expect(create).toThrow(message);
    try {
      create();
    } catch (error) {
      expect((error as EdgeDbError).code).toBe('CONFIG_INVALID');
    }
  });

  it('applies defaults', () => {
    expect(new QueryCache().stats()).toEqual({
      hits: 0,
      misses: 0,
      stale: 0,
      bypasses: 0,
      bytes: 0,
      entries: 0,
      evictions: 0,
    });
  });

  it('rejects a bad per-read ttl', async () => {
    const { cache } = setup();
    const loader = countingLoader<Row>(
      () => [],
      () => 1n,
    );
    await expect(cache.read('k', { tables, ttlMs: 0 }, loader.load)).rejects.toThrow(
      'edge-db: QueryCache option ttlMs must be a positive integer, got 0',
    );
    expect(loader.calls).toBe(0);
  });
});

describe('QueryCache TTL', () => {
  it('serves a hit until the TTL, then misses', async () => {
    const { cache, clock } = setup({ ttlMs: 100 });
    let version = 0;
    const loader = countingLoader<Row>(
      () => [{ id: 1, name: `v${++version}` }],
      () => 10n,
    );

    const first = await cache.read('k', { tables }, loader.load);
    expect(first.status).toBe('miss');
    expect(first.position).toBe(10n);

    clock.now += 99;
    const second = await cache.read('k', { tables }, loader.load);
    expect(second).toMatchObject({ status: 'hit', position: 10n });
    expect(second.result.rows).toEqual([{ id: 1, name: 'v1' }]);

    clock.now += 1;
    const third = await cache.read('k', { tables }, loader.load);
    expect(third.status).toBe('miss');
    expect(third.result.rows).toEqual([{ id: 1, name: 'v2' }]);
    expect(loader.calls).toBe(2);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, entries: 1 });
  });

  it('uses a per-read TTL for the entry it stores', async () => {
    const { cache, clock } = setup({ ttlMs: 100 });
    const loader = countingLoader<Row>(
      () => [{ id: 1, name: 'a' }],
      () => 1n,
    );
    await cache.read('k', { tables, ttlMs: 1_000 }, loader.load);
    clock.now += 500;
    expect((await cache.read('k', { tables }, loader.load)).status).toBe('hit');
    expect(loader.calls).toBe(1);
  });
});

describe('QueryCache stale-while-revalidate', () => {
  it('serves stale once past TTL, refreshes exactly once through waitUntil, then serves the new rows', async () => {
    const { cache, clock } = setup({ ttlMs: 100, swrMs: 1_000 });
    const loader = controlledLoader<Row>();
    const first = cache.read('k', { tables }, loader.load);
    loader.resolve(0, [{ id: 1, name: 'old' }], 5n);
    expect((await first).status).toBe('miss');

    clock.now += 150;
    const handedOver: Promise<unknown>[] = [];
    const waitUntil = (promise: Promise<unknown>) => handedOver.push(promise);
    const stale1 = await cache.read('k', { tables, waitUntil }, loader.load);
    const stale2 = await cache.read('k', { tables, waitUntil }, loader.load);
    expect(stale1).toMatchObject({ status: 'stale', position: 5n });
    expect(stale2.status).toBe('stale');
    expect(stale1.result.rows).toEqual([{ id: 1, name: 'old' }]);
    expect(loader.calls).toBe(2); // the first miss + one refresh
    expect(handedOver).toHaveLength(1);

    loader.resolve(1, [{ id: 1, name: 'new' }], 6n);
    await handedOver[0];
    const fresh = await cache.read('k', { tables }, loader.load);
    expect(fresh).toMatchObject({ status: 'hit', position: 6n });
    expect(fresh.result.rows).toEqual([{ id: 1, name: 'new' }]);
    expect(loader.calls).toBe(2);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, stale: 2 });
  });

  it('misses after TTL + SWR', async () => {
    const { cache, clock } = setup({ ttlMs: 100, swrMs: 200 });
    const loader = countingLoader<Row>(
      () => [{ id: 1, name: 'a' }],
      () => 1n,
    );
    await cache.read('k', { tables }, loader.load);
    clock.now += 299;
    expect((await cache.read('k', { tables }, loader.load)).status).toBe('stale');
    await settle();
    clock.now += 300; // the refresh stored at +299 expires at +599
    expect((await cache.read('k', { tables }, loader.load)).status).toBe('miss');
  });

  it('drops the stale entry and reports a failed refresh to onRefreshError', async () => {
    const errors: unknown[] = [];
    const clock = { now: 0 };
    const cache = new QueryCache({
      ttlMs: 10,
      swrMs: 100,
      now: () => clock.now,
      onRefreshError: (error) => errors.push(error),
    });
    const loader = controlledLoader<Row>();
    const first = cache.read('k', { tables }, loader.load);
    loader.resolve(0, [{ id: 1, name: 'a' }], 1n);
    await first;
    clock.now = 20;
    const handedOver: Promise<unknown>[] = [];
    expect(
      (await cache.read('k', { tables, waitUntil: (p) => handedOver.push(p) }, loader.load)).status,
    ).toBe('stale');
    const failure = new Error('replica down');
    loader.reject(1, failure);
    await handedOver[0];
    expect(errors).toEqual([failure]);
    const next = cache.read('k', { tables }, loader.load);
    expect(loader.calls).toBe(3);
    loader.resolve(2, [{ id: 1, name: 'b' }], 2n);
    expect((await next).status).toBe('miss');
  });
});

describe('QueryCache single flight', () => {
  it('shares one load between concurrent identical misses and gives each caller its own rows', async () => {
    const { cache } = setup();
    const loader = controlledLoader<Row>();
    const reads = [1, 2, 3].map(() => cache.read<Row>('k', { tables }, loader.load));
    expect(loader.calls).toBe(1);
    loader.resolve(0, [{ id: 1, name: 'a' }], 3n);
    const results = await Promise.all(reads);
    expect(results.map((r) => r.status)).toEqual(['miss', 'miss', 'miss']);
    expect(results.map((r) => r.result.rows)).toEqual([
      [{ id: 1, name: 'a' }],
      [{ id: 1, name: 'a' }],
      [{ id: 1, name: 'a' }],
    ]);
    expect(new Set(results.map((r) => r.result.rows[0])).size).toBe(3);
    expect(cache.stats().misses).toBe(3);
  });

  it('passes a load error to every caller unchanged and caches nothing', async () => {
    const { cache } = setup();
    const loader = controlledLoader<Row>();
    const reads = [cache.read('k', { tables }, loader.load), cache.read('k', { tables }, loader.load)];
    const failure = new Error('boom');
    loader.reject(0, failure);
    for (const read of reads) await expect(read).rejects.toBe(failure);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('does not share a load with a session that needs a newer position than the load returned', async () => {
    const { cache } = setup();
    const loader = controlledLoader<Row>();
    const plain = cache.read<Row>('k', { tables }, loader.load);
    const strict = cache.read<Row>('k', { tables, minPosition: 50n }, loader.load);
    loader.resolve(0, [{ id: 1, name: 'old' }], 40n);
    expect((await plain).status).toBe('miss');
    await settle();
    expect(loader.calls).toBe(2);
    loader.resolve(1, [{ id: 1, name: 'new' }], 55n);
    expect(await strict).toMatchObject({ status: 'bypass', reason: 'token-newer-than-entry', position: 55n });
  });
});

describe('QueryCache read-your-writes', () => {
  it('bypasses an entry older than the session position and replaces it with the newer rows', async () => {
    const { cache } = setup();
    let position = 10n;
    let name = 'before';
    const loader = countingLoader<Row>(
      () => [{ id: 1, name }],
      () => position,
    );
    await cache.read('k', { tables }, loader.load);

    position = 20n;
    name = 'after';
    const read = await cache.read<Row>('k', { tables, minPosition: 20n }, loader.load);
    expect(read).toMatchObject({ status: 'bypass', reason: 'token-newer-than-entry', position: 20n });
    expect(read.result.rows).toEqual([{ id: 1, name: 'after' }]);

    const again = await cache.read<Row>('k', { tables, minPosition: 20n }, loader.load);
    expect(again).toMatchObject({ status: 'hit', position: 20n });
    expect(again.result.rows).toEqual([{ id: 1, name: 'after' }]);
    expect(loader.calls).toBe(2);
  });

  it('serves an entry at or after the session position', async () => {
    const { cache } = setup();
    const loader = countingLoader<Row>(
      () => [{ id: 1, name: 'a' }],
      () => 30n,
    );
    await cache.read('k', { tables }, loader.load);
    expect((await cache.read('k', { tables, minPosition: 30n }, loader.load)).status).toBe('hit');
    expect((await cache.read('k', { tables, minPosition: 29n }, loader.load)).status).toBe('hit');
  });

  it('keeps the newer entry when a bypass load comes back older', async () => {
    const { cache } = setup();
    const positions = [30n, 25n];
    const loader = countingLoader<Row>(
      () => [{ id: 1, name: 'x' }],
      () => positions.shift(),
    );
    await cache.read('k', { tables }, loader.load);
    const read = await cache.read('k', { tables, minPosition: 31n }, loader.load);
    expect(read.status).toBe('bypass');
    expect(await cache.read('k', { tables }, loader.load)).toMatchObject({ status: 'hit', position: 30n });
  });

  it('never serves an entry of unknown position to a session with a position', async () => {
    const { cache } = setup();
    const positions: Array<bigint | undefined> = [undefined, 7n];
    const loader = countingLoader<Row>(
      () => [{ id: 1, name: 'x' }],
      () => positions.shift(),
    );
    await cache.read('k', { tables }, loader.load);
    expect((await cache.read('k', { tables }, loader.load)).status).toBe('hit');
    const read = await cache.read('k', { tables, minPosition: 1n }, loader.load);
    expect(read).toMatchObject({ status: 'bypass', reason: 'position-unknown', position: 7n });
    expect(await cache.read('k', { tables, minPosition: 1n }, loader.load)).toMatchObject({
      status: 'hit',
      position: 7n,
    });
    expect(cache.stats().bypasses).toBe(1);
  });

  it('skips the cache entirely for a bypass reason given by the caller', async () => {
    const { cache } = setup();
    const loader = countingLoader<Row>(
      () => [{ id: 1, name: 'x' }],
      () => 1n,
    );
    await cache.read('k', { tables }, loader.load);
    const read = await cache.read('k', { tables, bypass: 'volatile' }, loader.load);
    expect(read).toMatchObject({ status: 'bypass', reason: 'volatile' });
    expect(loader.calls).toBe(2);
    expect(cache.stats()).toMatchObject({ bypasses: 1, entries: 1 });
  });
});

describe('QueryCache isolation', () => {
  it('a caller mutating its rows cannot change the entry', async () => {
    const { cache } = setup();
    const loader = countingLoader(
      () => [{ id: 1, at: new Date(0), blob: new Uint8Array([1, 2]), json: { tags: ['a'] } }],
      () => 1n,
    );
    const miss = await cache.read('k', { tables }, loader.load);
    miss.result.rows[0]!.json.tags.push('from-miss');
    const hit = await cache.read('k', { tables }, loader.load);
    hit.result.rows[0]!.at.setTime(99);
    hit.result.rows[0]!.blob[0] = 42;
    hit.result.rows.push({ id: 2, at: new Date(), blob: new Uint8Array(), json: { tags: [] } });
    const again = await cache.read('k', { tables }, loader.load);
    expect(again.result.rows).toEqual([
      { id: 1, at: new Date(0), blob: new Uint8Array([1, 2]), json: { tags: ['a'] } },
    ]);
  });
});

describe('QueryCache invalidation', () => {
  async function filled() {
    const setupResult = setup();
    const { cache } = setupResult;
    const load = countingLoader<Row>(
      () => [{ id: 1, name: 'x' }],
      () => 1n,
    ).load;
    await cache.read('person', { tables: ['person'] }, load);
    await cache.read('pet', { tables: ['app.Pet'], tags: ['pets'] }, load);
    await cache.read('join', { tables: ['person', 'toy'] }, load);
    await cache.read('raw', { tables: undefined, tags: ['raw'] }, load);
    return { ...setupResult, load };
  }

  it('drops entries reading a written table, and entries with unknown tables', async () => {
    const { cache, load } = await filled();
    expect(cache.invalidateTables(['public.person'])).toBe(3);
    expect((await cache.read('pet', { tables: ['app.Pet'] }, load)).status).toBe('hit');
    expect((await cache.read('person', { tables: ['person'] }, load)).status).toBe('miss');
    expect((await cache.read('join', { tables: ['person', 'toy'] }, load)).status).toBe('miss');
    expect((await cache.read('raw', { tables: undefined }, load)).status).toBe('miss');
  });

  it('compares table names without schema and case', async () => {
    const { cache, load } = await filled();
    cache.invalidateTables(['pet']);
    expect((await cache.read('pet', { tables: ['app.Pet'] }, load)).status).toBe('miss');
  });

  it('drops entries by tag only', async () => {
    const { cache, load } = await filled();
    expect(cache.invalidateTags(['pets', 'nothing'])).toBe(1);
    expect((await cache.read('pet', { tables: ['app.Pet'] }, load)).status).toBe('miss');
    expect((await cache.read('raw', { tables: undefined }, load)).status).toBe('hit');
    expect((await cache.read('person', { tables: ['person'] }, load)).status).toBe('hit');
  });

  it('clear() drops everything and keeps the counters', async () => {
    const { cache } = await filled();
    cache.clear();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, misses: 4 });
  });

  it('does not store a load that was in flight when its table was invalidated', async () => {
    const { cache } = setup();
    const loader = controlledLoader<Row>();
    const a = cache.read('k', { tables: ['person'] }, loader.load);
    const b = cache.read('k', { tables: ['person'] }, loader.load);
    cache.invalidateTables(['person']);
    loader.resolve(0, [{ id: 1, name: 'before write' }], 1n);
    expect((await a).result.rows).toEqual([{ id: 1, name: 'before write' }]);
    expect((await b).status).toBe('miss');
    const after = cache.read('k', { tables: ['person'] }, loader.load);
    expect(loader.calls).toBe(2);
    loader.resolve(1, [{ id: 1, name: 'after write' }], 2n);
    expect((await after).status).toBe('miss');
  });

  it('does not store a position bypass that was in flight when its table was invalidated', async () => {
    const { cache } = setup();
    const first = countingLoader<Row>(
      () => [{ id: 1, name: 'a' }],
      () => 1n,
    );
    await cache.read('k', { tables }, first.load);
    const loader = controlledLoader<Row>();
    const read = cache.read('k', { tables, minPosition: 5n }, loader.load);
    cache.invalidateTables(tables);
    loader.resolve(0, [{ id: 1, name: 'b' }], 5n);
    expect((await read).status).toBe('bypass');
    expect(cache.stats().entries).toBe(0);
  });

  it('a stale entry being refreshed is invalidated and the refresh is not stored', async () => {
    const { cache, clock } = setup({ ttlMs: 10, swrMs: 100 });
    const loader = controlledLoader<Row>();
    const first = cache.read('k', { tables }, loader.load);
    loader.resolve(0, [{ id: 1, name: 'a' }], 1n);
    await first;
    clock.now += 20;
    const handedOver: Promise<unknown>[] = [];
    expect(
      (await cache.read('k', { tables, waitUntil: (p) => handedOver.push(p) }, loader.load)).status,
    ).toBe('stale');
    expect(cache.invalidateTables(tables)).toBe(1);
    loader.resolve(1, [{ id: 1, name: 'b' }], 2n);
    await handedOver[0];
    expect(cache.stats().entries).toBe(0);
  });
});

describe('QueryCache size', () => {
  it('does not store a result above maxEntryBytes but returns it', async () => {
    const clock = { now: 0 };
    const cache = new QueryCache({ maxBytes: 10_000, maxEntryBytes: 1_000, now: () => clock.now });
    const loader = countingLoader(
      () => [{ text: 'x'.repeat(2_000) }],
      () => 1n,
    );
    const read = await cache.read('k', { tables }, loader.load);
    expect(read).toMatchObject({ status: 'miss', reason: 'too-large' });
    expect(read.result.rows[0]!.text).toHaveLength(2_000);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('evicts the least recently used entries to stay under maxBytes', async () => {
    const clock = { now: 0 };
    const cache = new QueryCache({
      maxBytes: 3_000,
      maxEntryBytes: 1_500,
      ttlMs: 1_000_000,
      now: () => clock.now,
    });
    const load = countingLoader(
      () => [{ text: 'x'.repeat(400) }],
      () => 1n,
    ).load;
    await cache.read('a', { tables }, load);
    await cache.read('b', { tables }, load);
    await cache.read('a', { tables }, load);
    await cache.read('c', { tables }, load);
    const stats = cache.stats();
    expect(stats.bytes).toBeLessThanOrEqual(3_000);
    expect(stats.evictions).toBe(1);
    expect((await cache.read('a', { tables }, load)).status).toBe('hit');
    expect((await cache.read('b', { tables }, load)).status).toBe('miss');
  });
});
