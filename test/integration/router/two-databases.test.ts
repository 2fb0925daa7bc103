import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolateCache } from '../../../src/cache/index.js';
import { libsql } from '../../../src/drivers/libsql/index.js';
import {
  cacheStats,
  consistencyToken,
  edgeDb,
  type RouteEvent,
  resetClusterState,
} from '../../../src/index.js';
import { type LibsqlCluster, startLibsqlCluster } from '../../../src/testing/index.js';

interface Db {
  note: { id: number; tenant: string };
}

let tenantA: LibsqlCluster;
let tenantB: LibsqlCluster;

beforeAll(async () => {
  [tenantA, tenantB] = await Promise.all([
    startLibsqlCluster({ replicas: 1 }),
    startLibsqlCluster({ replicas: 1 }),
  ]);
  for (const [cluster, tenant] of [
    [tenantA, 'a'],
    [tenantB, 'b'],
  ] as const) {
    const db = edgeDb<Db>({ primary: libsql({ url: cluster.primary.url }) });
    await db.schema.createTable('note').addColumn('id', 'integer').addColumn('tenant', 'text').execute();
    await db.insertInto('note').values({ id: 1, tenant }).execute();
    await cluster.replicas[0]!.waitForIndex(await cluster.primary.replicationIndex());
    await db.destroy();
  }
  resetClusterState();
});

afterAll(async () => {
  await Promise.all([tenantA?.stop(), tenantB?.stop()]);
});

/** An instance of one tenant's database with default node names, the cache on, and its route events. */
function open(cluster: LibsqlCluster, token?: string) {
  const events: RouteEvent[] = [];
  const db = edgeDb<Db>({
    primary: libsql({ url: cluster.primary.url }),
    replicas: [libsql({ url: cluster.replicas[0]!.url })],
    cache: isolateCache({ ttlMs: 60_000 }),
    consistency: { token },
    onRoute: (event) => events.push(event),
  });
  return { db, events };
}

describe('two libSQL databases with default node names in one isolate', () => {
  it('never serves one database rows cached from the other', async () => {
    const a = open(tenantA);
    expect(await a.db.selectFrom('note').selectAll().execute()).toEqual([{ id: 1, tenant: 'a' }]);
    const b = open(tenantB);
    expect(await b.db.selectFrom('note').selectAll().execute()).toEqual([{ id: 1, tenant: 'b' }]);
    expect(b.events.filter((event) => event.cache === 'hit')).toEqual([]);
    expect((await cacheStats(b.db)).hits).toBe(0);
    // Each tenant's own second read is a hit of its own rows.
    const again = open(tenantA);
    expect(await again.db.selectFrom('note').selectAll().execute()).toEqual([{ id: 1, tenant: 'a' }]);
    expect(again.events.at(-1)?.cache).toBe('hit');
    await Promise.all([a.db.destroy(), b.db.destroy(), again.db.destroy()]);
  });

  it("keeps read-your-writes on each, never satisfied by the other's replica position", async () => {
    // A's replica is current and known far ahead; B's replica stops applying.
    const warm = open(tenantA);
    await warm.db.insertInto('note').values({ id: 2, tenant: 'a' }).execute();
    await tenantA.replicas[0]!.waitForIndex(await tenantA.primary.replicationIndex());
    await warm.db.selectFrom('note').selectAll().execute();
    await tenantB.replicas[0]!.pause();
    try {
      const writer = open(tenantB);
      await writer.db.insertInto('note').values({ id: 3, tenant: 'b' }).execute();
      const token = await consistencyToken(writer.db);
      const reader = open(tenantB, token);
      const rows = await sql<{ id: number }>`select id from note where tenant = 'b' order by id`.execute(
        reader.db,
      );
      expect(rows.rows.map((row) => row.id)).toEqual([1, 3]);
      const served = reader.events.at(-1);
      expect(served?.reason).not.toBe('caught-up');
      await Promise.all([warm.db.destroy(), writer.db.destroy(), reader.db.destroy()]);
    } finally {
      await tenantB.replicas[0]!.resume();
    }
  });
});
