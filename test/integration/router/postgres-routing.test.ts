import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeDb, type RouteEvent, resetClusterState } from '../../../src/index.js';
import { type PostgresCluster, startPostgresClusterWith } from '../../../src/testing/index.js';
import { pgBackends } from './pg-backends.js';

interface DB {
  item: { id: number; label: string };
}

let cluster: PostgresCluster;

beforeAll(async () => {
  cluster = await startPostgresClusterWith({ replicas: 2 });
});
afterAll(async () => {
  await cluster?.stop();
});

async function appConnections(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "select count(*) as n from pg_stat_activity where application_name = 'edge-db-test'",
    );
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe('routing on a real PostgreSQL cluster (node-postgres backends)', () => {
  it('reads on standbys, writes and transactions on the primary, and no leaked connections', async () => {
    resetClusterState();
    const backends = pgBackends(cluster);
    const events: RouteEvent[] = [];
    const db = edgeDb<DB>({
      primary: backends.primary,
      replicas: backends.replicas,
      onRoute: (e) => events.push(e),
    });
    await db.schema
      .createTable('item')
      .ifNotExists()
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('label', 'text')
      .execute();
    expect(events.at(-1)).toMatchObject({ node: 'primary', reason: 'ddl' });

    // a fresh session with no writes reads from a standby
    const reader = edgeDb<DB>({
      primary: backends.primary,
      replicas: backends.replicas,
      onRoute: (e) => events.push(e),
    });
    const recovery = await sql<{ r: boolean }>`select pg_is_in_recovery() as r`.execute(reader);
    expect(recovery.rows[0]?.r).toBe(true);
    expect(events.at(-1)?.role).toBe('replica');

    await db.insertInto('item').values({ id: 1, label: 'one' }).execute();
    expect(events.at(-1)).toMatchObject({ node: 'primary', reason: 'write' });
    // read-your-writes in the same session: served by a caught-up standby or the primary, never stale
    const after = await db.selectFrom('item').selectAll().where('id', '=', 1).execute();
    expect(after).toEqual([{ id: 1, label: 'one' }]);

    const inTransaction = await db.transaction().execute(async (trx) => {
      await trx.updateTable('item').set({ label: 'uno' }).where('id', '=', 1).execute();
      return sql<{ r: boolean }>`select pg_is_in_recovery() as r`.execute(trx);
    });
    expect(inTransaction.rows[0]?.r).toBe(false);
    expect((await db.selectFrom('item').select('label').where('id', '=', 1).executeTakeFirst())?.label).toBe(
      'uno',
    );

    // locking reads go to the primary
    await db.transaction().execute((trx) => trx.selectFrom('item').selectAll().forUpdate().execute());
    const locking = await db.selectFrom('item').selectAll().forShare().execute();
    expect(locking).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ node: 'primary', reason: 'lock' });

    // a write on a standby is impossible through the router: the SQL would fail there with 25006. It names no
    // table: this edgeDb has no token, so the standby may not have replayed `create table item` yet (42P01).
    await expect(
      sql`create table standby_write (id int)`.execute(
        edgeDb<DB>({ primary: backends.replicas[0]!, replicas: [] }),
      ),
    ).rejects.toMatchObject({ code: '25006' });

    await db.destroy();
    await reader.destroy();
    // every checked-out client went back: ending the pools closes all app connections
    for (const pool of backends.pools) expect(pool.waitingCount + (pool.totalCount - pool.idleCount)).toBe(0);
    await backends.end();
    for (const node of [cluster.primary, ...cluster.replicas])
      expect(await appConnections(node.directUrl)).toBe(0);
  });

  it('streams from a standby and releases on early break', async () => {
    resetClusterState();
    const backends = pgBackends(cluster);
    const db = edgeDb<DB>({ primary: backends.primary, replicas: backends.replicas });
    try {
      // pg needs a cursor implementation for streaming; without pg-cursor Kysely throws: expect the driver's error
      const error = await (async () => {
        for await (const row of db.selectFrom('item').selectAll().stream(1)) return row;
      })().catch((e: unknown) => e);
      expect(String(error)).toMatch(/cursor/i);
      for (const pool of backends.pools) expect(pool.totalCount - pool.idleCount).toBe(0);
    } finally {
      await backends.end();
    }
  });
});
