import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isolateCache } from '../../../src/cache/index.js';
import { libsql } from '../../../src/drivers/libsql/index.js';
import { consistencyToken, edgeDb, type RouteEvent } from '../../../src/index.js';
import { type LibsqlCluster, startLibsqlClusterWith } from '../../../src/testing/index.js';

interface DB {
  item: { id: number; label: string };
}

let cluster: LibsqlCluster;

beforeAll(async () => {
  cluster = await startLibsqlClusterWith({ replicas: 1 });
  const setup = edgeDb<DB>({ primary: libsql({ url: cluster.primary.url }) });
  await setup.schema
    .createTable('item')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('label', 'text')
    .execute();
  await setup.insertInto('item').values({ id: 1, label: 'old' }).execute();
  await cluster.replicas[0]!.waitForIndex(await cluster.primary.replicationIndex());
});

afterAll(async () => {
  await cluster?.stop();
});

/** A fresh copy of edge-db's modules: its own module-scope state, as in another isolate. */
async function anotherIsolate() {
  vi.resetModules();
  const core = await import('../../../src/index.js');
  const driver = await import('../../../src/drivers/libsql/index.js');
  return { edgeDb: core.edgeDb, libsql: driver.libsql, consistencyToken: core.consistencyToken };
}

describe('the isolate cache on a real libSQL cluster', () => {
  it('returns a value written through the same isolate, and honours tokens against another isolate’s cache', async () => {
    const b = await anotherIsolate();
    const config = (events: RouteEvent[], token?: string) => ({
      cluster: 'cache-it',
      cache: isolateCache({ ttlMs: 60_000 }),
      consistency: { token },
      onRoute: (e: RouteEvent) => events.push(e),
    });
    const readLabel = async (db: ReturnType<typeof edgeDb<DB>>) =>
      (await db.selectFrom('item').select('label').where('id', '=', 1).executeTakeFirstOrThrow()).label;

    // isolate B caches the old value
    const bEvents: RouteEvent[] = [];
    const bFirst = b.edgeDb<DB>({
      primary: b.libsql({ url: cluster.primary.url }),
      replicas: [b.libsql({ url: cluster.replicas[0]!.url })],
      ...config(bEvents),
    });
    // the first read of a session knows no position to store with the entry; the second stores the position
    // the session had reached, and the third is served from memory
    expect(await readLabel(bFirst)).toBe('old');
    expect(await readLabel(bFirst)).toBe('old');
    expect(await readLabel(bFirst)).toBe('old');
    expect(bEvents.at(-1)?.cache).toBe('hit');

    // isolate A: read (cached), write the same table, read again: the new value
    const aEvents: RouteEvent[] = [];
    const a = edgeDb<DB>({
      primary: libsql({ url: cluster.primary.url }),
      replicas: [libsql({ url: cluster.replicas[0]!.url })],
      ...config(aEvents),
    });
    expect(await readLabel(a)).toBe('old');
    expect(await readLabel(a)).toBe('old');
    expect(await readLabel(a)).toBe('old');
    expect(aEvents.at(-1)?.cache).toBe('hit');
    await a.updateTable('item').set({ label: 'new' }).where('id', '=', 1).execute();
    expect(await readLabel(a)).toBe('new');
    const token = await consistencyToken(a);
    expect(token).toBeDefined();

    // isolate B, a session without the token: its cache still holds the old row (so the next check can fail)
    const bPlain = b.edgeDb<DB>({
      primary: b.libsql({ url: cluster.primary.url }),
      replicas: [b.libsql({ url: cluster.replicas[0]!.url })],
      ...config([]),
    });
    expect(await readLabel(bPlain)).toBe('old');

    // isolate B, a session holding A's token: never served the older entry
    const bTokenEvents: RouteEvent[] = [];
    const bToken = b.edgeDb<DB>({
      primary: b.libsql({ url: cluster.primary.url }),
      replicas: [b.libsql({ url: cluster.replicas[0]!.url })],
      ...config(bTokenEvents, token),
    });
    expect(await readLabel(bToken)).toBe('new');
    expect(bTokenEvents.at(-1)?.cache).not.toBe('hit');
  });
});
