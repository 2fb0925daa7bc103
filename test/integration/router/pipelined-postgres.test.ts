import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consistencyToken, edgeDb, type RouteEvent, route, sessionInfo } from '../../../src/index.js';
import { type PostgresCluster, startPostgresClusterWith } from '../../../src/testing/index.js';
import { runBoundedRace } from './bounded-race.js';
import { type CountedStatement, counted } from './counted-backend.js';
import { pgBackends } from './pg-backends.js';

/**
 * Issue 15: over node-postgres in pipeline mode (`pipelinedPostgresReplication`), a replica's check rides in the
 * read's own round trip: the check, the read and the position are handed to the connection together, on real
 * PostgreSQL 15 standbys.
 */
interface Database {
  pipe_item: { id: number; note: string };
}

let cluster: PostgresCluster;
let pg: ReturnType<typeof pgBackends>;
const statements: CountedStatement[] = [];
const onNode = (node: string, from: number) => statements.slice(from).filter((s) => s.node === node);

const open = (options: { token?: string | undefined; events?: RouteEvent[] } = {}) =>
  edgeDb<Database>({
    primary: counted(pg.primary, statements),
    replicas: pg.replicas.map((replica) => counted(replica, statements)),
    cluster: 'pipelined-pg',
    consistency: { token: options.token },
    ...(options.events === undefined ? {} : { onRoute: (e: RouteEvent) => options.events!.push(e) }),
  });

const caughtUp = async () => cluster.replicas[0]!.waitForPosition(await cluster.primary.currentPosition());

beforeAll(async () => {
  cluster = await startPostgresClusterWith({ replicas: 1 });
  pg = pgBackends(cluster, { pipeline: true });
  const setup = new Kysely<Database>({ dialect: pg.primary.dialect });
  await sql`create table pipe_item (id int primary key, note text not null)`.execute(setup);
  await setup.destroy();
  await caughtUp();
});

afterAll(async () => {
  await cluster.replicas[0]?.resume().catch(() => undefined);
  await cluster.replicas[0]?.setApplyDelay(0).catch(() => undefined);
  await pg?.end();
  await cluster?.stop();
});

describe('pipelinedPostgresReplication over node-postgres in pipeline mode', () => {
  it("checks the write on the replica in the read's own round trip: check, read and position sent together", async () => {
    const writer = open();
    await writer.insertInto('pipe_item').values({ id: 1, note: 'one' }).execute();
    const token = await consistencyToken(writer);
    await writer.destroy();
    await caughtUp();

    const events: RouteEvent[] = [];
    const reader = open({ token, events });
    const from = statements.length;
    const row = await reader.selectFrom('pipe_item').selectAll().where('id', '=', 1).executeTakeFirst();
    expect(row).toEqual({ id: 1, note: 'one' });
    expect(events.at(-1)).toMatchObject({ role: 'replica', requiredTransactions: [expect.any(String)] });
    expect(onNode('primary', from)).toHaveLength(0);
    const replica = onNode('replica-0', from);
    expect(replica.map((s) => s.sql)).toEqual([
      expect.stringMatching(/pg_xact_status/),
      expect.stringMatching(/pg_last_wal_replay_lsn/),
      expect.stringMatching(/from "pipe_item"/),
      expect.stringMatching(/pg_last_wal_replay_lsn/),
    ]);
    // Each statement was handed to the connection before the previous one was answered: one round trip.
    expect(replica.map((s) => s.alongside)).toEqual([0, 1, 2, 3]);
    await reader.destroy();
  });

  it('discards the rows and falls back to the primary while the replica has not applied the write', async () => {
    await cluster.replicas[0]!.pause();
    try {
      const events: RouteEvent[] = [];
      const db = open({ events });
      await db.insertInto('pipe_item').values({ id: 2, note: 'two' }).execute();
      const row = await db.selectFrom('pipe_item').selectAll().where('id', '=', 2).executeTakeFirst();
      expect(row).toEqual({ id: 2, note: 'two' });
      expect(events.at(-1)!.attempts.map((a) => `${a.role}:${a.outcome}`)).toEqual([
        'replica:behind',
        'primary:ok',
      ]);
      // The primary's read learnt its position in the same round trip: the ids are settled.
      expect((await sessionInfo(db)).pendingTransactions).toEqual([]);
      await db.destroy();
    } finally {
      await cluster.replicas[0]!.resume();
    }
  });

  it("checks a known session position in the read's round trip as well", async () => {
    const writer = open();
    await writer.insertInto('pipe_item').values({ id: 3, note: 'three' }).execute();
    // A primary read settles the write's id into a position (learnt in the read's own round trip).
    await route(writer, { readPreference: 'primary' }).selectFrom('pipe_item').select('id').execute();
    const info = await sessionInfo(writer);
    expect(info.pendingTransactions).toEqual([]);
    const token = await consistencyToken(writer);
    await writer.destroy();
    await caughtUp();

    const reader = open({ token });
    const from = statements.length;
    const row = await reader.selectFrom('pipe_item').selectAll().where('id', '=', 3).executeTakeFirst();
    expect(row).toEqual({ id: 3, note: 'three' });
    const replica = onNode('replica-0', from);
    expect(replica).toHaveLength(3);
    expect(replica[0]!.sql).toMatch(/pg_last_wal_replay_lsn/);
    expect(replica.map((s) => s.alongside)).toEqual([0, 1, 2]);
    await reader.destroy();
  });

  it('reads with nothing to prove learn the replica position in the same round trip', async () => {
    const db = open();
    const from = statements.length;
    await db.selectFrom('pipe_item').selectAll().execute();
    const replica = onNode('replica-0', from);
    expect(replica.map((s) => s.alongside)).toEqual([0, 1]);
    expect(replica[1]!.sql).toMatch(/pg_last_wal_replay_lsn/);
    // The session knows where it read: minting a token asks nobody.
    const before = statements.length;
    await consistencyToken(db);
    expect(statements.length).toBe(before);
    await db.destroy();
  });

  it("a read that fails on a replica behind the session is the replica's staleness, not the caller's error", async () => {
    await cluster.replicas[0]!.pause();
    try {
      const writer = open();
      await sql`create table pipe_new (id int primary key)`.execute(writer);
      const token = await consistencyToken(writer);
      await writer.destroy();
      // The next request: the replica has not the table yet, so its check fails, and so does the read (42P01).
      const events: RouteEvent[] = [];
      const reader = open({ token, events });
      const rows = await sql<{ id: number }>`select id from pipe_new`.execute(reader);
      expect(rows.rows).toEqual([]);
      expect(events.at(-1)!.attempts.map((a) => `${a.role}:${a.outcome}`)).toEqual([
        'replica:behind',
        'primary:ok',
      ]);
      await reader.destroy();
    } finally {
      await cluster.replicas[0]!.resume();
    }
  });

  it('never serves a replica read without the write while the replica lags and others write (bounded race)', async () => {
    const { rounds, fromReplica } = await runBoundedRace({
      cluster,
      table: 'pipe_item',
      rounds: 100,
      background: pg.primary.dialect,
      open: (token, events) => open({ token, ...(events === undefined ? {} : { events }) }),
      closeWriter: 'before-read',
    });
    console.log(`pipelined xid race: ${rounds} rounds, ${fromReplica} served by the replica, 0 missing rows`);
    expect(fromReplica).toBeGreaterThanOrEqual(rounds / 4);
  });
});
