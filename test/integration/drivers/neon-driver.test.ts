import { DatabaseError, NeonDbError } from '@neondatabase/serverless';
import { CompiledQuery, Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type NeonBackend, NeonConnection, neon } from '../../../src/drivers/neon/index.js';
import { isEdgeDbError } from '../../../src/errors/edge-db-error.js';
import { startPostgresClusterWith as startPostgresCluster } from '../../../src/testing/containers/index.js';
import { type NeonProxy, neonLocalSettings, startNeonProxy } from '../../../src/testing/neon/index.js';
import type { PostgresCluster } from '../../../src/testing/postgres/postgres-cluster.js';

interface Database {
  neon_person: { id: number; email: string; note: string | null };
}

let cluster: PostgresCluster;
let proxy: NeonProxy;
let primary: NeonBackend;
let replica: NeonBackend;
let db: Kysely<Database>;
let replicaDb: Kysely<Database>;

beforeAll(async () => {
  cluster = await startPostgresCluster({ replicas: 1 });
  proxy = await startNeonProxy();
  primary = neon({ ...neonLocalSettings(proxy, cluster.primary.url), name: 'primary' });
  replica = neon({ ...neonLocalSettings(proxy, cluster.replicas[0]!.url), name: 'replica-0' });
  db = new Kysely<Database>({ dialect: primary.dialect });
  replicaDb = new Kysely<Database>({ dialect: replica.dialect });
  await sql`create table neon_person (id int primary key, email text not null unique, note text)`.execute(db);
});

afterAll(async () => {
  await Promise.allSettled([db?.destroy(), replicaDb?.destroy()]);
  await proxy?.close();
  await cluster?.stop();
});

/** Runs `run` on a connection of the backend's own driver, as the router does. */
async function withConnection<T>(
  backend: NeonBackend,
  run: (connection: NeonConnection) => Promise<T>,
): Promise<T> {
  const driver = backend.dialect.createDriver();
  await driver.init();
  const connection = await driver.acquireConnection();
  try {
    expect(connection).toBeInstanceOf(NeonConnection);
    return await run(connection as NeonConnection);
  } finally {
    await driver.releaseConnection(connection);
    await driver.destroy();
  }
}

/** Waits until the replica has applied everything committed on the primary so far. */
async function replicaCaughtUp(): Promise<void> {
  await cluster.replicas[0]!.waitForPosition(await cluster.primary.currentPosition());
}

describe('SQL over HTTP (statements outside transactions)', () => {
  it('reads on the standby and writes on the primary without opening a WebSocket', async () => {
    const before = proxy.stats();
    const onPrimary = await sql<{ recovery: boolean }>`select pg_is_in_recovery() as recovery`.execute(db);
    const onReplica = await sql<{ recovery: boolean }>`select pg_is_in_recovery() as recovery`.execute(
      replicaDb,
    );
    const inserted = await db
      .insertInto('neon_person')
      .values({ id: 1, email: 'ada@example.com' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const updated = await db
      .updateTable('neon_person')
      .set({ note: 'first' })
      .where('id', '=', 1)
      .executeTakeFirst();
    const after = proxy.stats();

    expect(onPrimary.rows).toEqual([{ recovery: false }]);
    expect(onReplica.rows).toEqual([{ recovery: true }]);
    expect(inserted).toEqual({ id: 1 });
    expect(updated.numUpdatedRows).toBe(1n);
    expect(after.sqlRequests - before.sqlRequests).toBe(4);
    expect(after.relaysOpened).toBe(before.relaysOpened);
  });

  it('refuses writes on the standby with the PostgreSQL error', async () => {
    const attempt = db.insertInto('neon_person').values({ id: 99, email: 'x@example.com' });
    // The standby must know the table, or it answers 42P01 before it can refuse the write (seen once in CI-like runs).
    await replicaCaughtUp();
    await expect(replicaDb.executeQuery(attempt.compile())).rejects.toMatchObject({
      name: 'NeonDbError',
      code: '25006',
    });
  });
});

describe('WebSocket sessions', () => {
  it('runs a transaction with savepoints on one session and closes the socket afterwards', async () => {
    const before = proxy.stats();
    const trx = await db.startTransaction().execute();
    const pids = [(await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid];
    await trx.insertInto('neon_person').values({ id: 2, email: 'kept@example.com' }).execute();
    const afterKept = await trx.savepoint('before_discarded').execute();
    await afterKept.insertInto('neon_person').values({ id: 3, email: 'discarded@example.com' }).execute();
    const rolledBack = await afterKept.rollbackToSavepoint('before_discarded').execute();
    const released = await (await rolledBack.savepoint('inner').execute())
      .releaseSavepoint('inner')
      .execute();
    pids.push((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(released)).rows[0]!.pid);
    await released.commit().execute();

    const ids = await db.selectFrom('neon_person').select('id').where('id', 'in', [2, 3]).execute();
    expect(ids).toEqual([{ id: 2 }]);
    expect(pids[0]).toBe(pids[1]);
    expect(proxy.stats().relaysOpened - before.relaysOpened).toBe(1);
    await expect.poll(() => proxy.stats().openRelays, { timeout: 5_000 }).toBe(0);
  });

  it('rolls back a failed transaction and passes the driver error through', async () => {
    const attempt = db.transaction().execute(async (trx) => {
      await trx.insertInto('neon_person').values({ id: 4, email: 'rolled-back@example.com' }).execute();
      await trx.insertInto('neon_person').values({ id: 4, email: 'duplicate@example.com' }).execute();
    });
    await expect(attempt).rejects.toBeInstanceOf(DatabaseError);
    expect(await db.selectFrom('neon_person').select('id').where('id', '=', 4).execute()).toEqual([]);
  });

  it('keeps SET inside db.connection() by moving the connection to its WebSocket', async () => {
    const setting = await db.connection().execute(async (connection) => {
      await sql`set application_name = 'edge-db-neon-test'`.execute(connection);
      return sql<{ name: string }>`select current_setting('application_name') as name`.execute(connection);
    });
    expect(setting.rows).toEqual([{ name: 'edge-db-neon-test' }]);
  });

  it('streams rows through a cursor, outside and inside a transaction', async () => {
    const series = () =>
      db.selectNoFrom(sql<number>`generate_series(1, 25)`.as('n')) as unknown as {
        stream(chunkSize: number): AsyncIterable<{ n: number }>;
      };
    const outside: number[] = [];
    for await (const row of series().stream(10)) outside.push(row.n);
    const inside = await db.transaction().execute(async (trx) => {
      const seen: number[] = [];
      for await (const row of trx.selectNoFrom(sql<number>`generate_series(1, 5)`.as('n')).stream(2)) {
        seen.push(row.n);
        if (seen.length === 3) break;
      }
      // The transaction is still usable after a stream stopped early.
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(trx);
      return { seen, one: rows[0]!.one };
    });
    expect(outside).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
    expect(inside).toEqual({ seen: [1, 2, 3], one: 1 });
  });
});

describe('values and errors', () => {
  const typed = sql<Record<string, unknown>>`select
    9007199254740993::int8 as big, 42::int4 as int, 1.5::float8 as float, 12.345::numeric as exact,
    true as flag, '{"a":[1,2]}'::jsonb as doc, '[1]'::json as list,
    '2024-02-29T12:34:56.789Z'::timestamptz as at, '\\xdeadbeef'::bytea as bytes,
    array[1,2,3]::int4[] as ints, array['a','b']::text[] as texts, null::text as nothing`;

  it('parses values as node-postgres does, identically over HTTP and WebSocket', async () => {
    const overHttp = (await typed.execute(db)).rows[0]!;
    const overWebSocket = await db.transaction().execute(async (trx) => (await typed.execute(trx)).rows[0]!);

    expect(overHttp).toEqual({
      big: '9007199254740993',
      int: 42,
      float: 1.5,
      exact: '12.345',
      flag: true,
      doc: { a: [1, 2] },
      list: [1],
      at: new Date('2024-02-29T12:34:56.789Z'),
      bytes: Buffer.from('deadbeef', 'hex'),
      ints: [1, 2, 3],
      texts: ['a', 'b'],
      nothing: null,
    });
    expect(overWebSocket).toEqual(overHttp);
  });

  it('sends parameters of every kind and reads them back', async () => {
    const at = new Date('2020-01-02T03:04:05.678Z');
    const { rows } = await sql<
      Record<string, unknown>
    >`select ${at}::timestamptz as at, ${Buffer.from([1, 2])}::bytea as bytes,
      ${JSON.stringify({ k: 'v' })}::jsonb as doc, ${'10'}::int8 as big, ${[1, 2]}::int4[] as ints`.execute(
      db,
    );
    expect(rows[0]).toEqual({ at, bytes: Buffer.from([1, 2]), doc: { k: 'v' }, big: '10', ints: [1, 2] });
  });

  it('raises NeonDbError with every PostgreSQL field for a unique violation over HTTP', async () => {
    await db.insertInto('neon_person').values({ id: 10, email: 'taken@example.com' }).execute();
    const error = await db
      .insertInto('neon_person')
      .values({ id: 11, email: 'taken@example.com' })
      .execute()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NeonDbError);
    expect(error).toMatchObject({
      code: '23505',
      severity: 'ERROR',
      constraint: 'neon_person_email_key',
      detail: 'Key (email)=(taken@example.com) already exists.',
      table: 'neon_person',
      schema: 'public',
    });
  });

  it('raises the driver DatabaseError with the same fields over WebSocket', async () => {
    const error = await db
      .transaction()
      .execute((trx) =>
        trx.insertInto('neon_person').values({ id: 12, email: 'taken@example.com' }).execute(),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({ code: '23505', constraint: 'neon_person_email_key', table: 'neon_person' });
  });
});

describe('replication positions', () => {
  it('rejects a read on a paused standby with REPLICA_BEHIND and serves it once replay caught up', async () => {
    const standby = cluster.replicas[0]!;
    await db.insertInto('neon_person').values({ id: 20, email: 'before-pause@example.com' }).execute();
    await replicaCaughtUp();
    await standby.pause();
    try {
      await db.insertInto('neon_person').values({ id: 21, email: 'while-paused@example.com' }).execute();
      const written = await withConnection(primary, (c) => primary.replication.readPosition(c, 'primary'));
      expect(written).toBeTypeOf('bigint');
      const read = db.selectFrom('neon_person').select('id').where('id', '=', 21).compile();

      const requestsBefore = proxy.stats().sqlRequests;
      const behind = withConnection(replica, (c) =>
        replica.replication.executeWithPosition(c, read, { role: 'replica', minPosition: written }),
      );
      await expect(behind).rejects.toSatisfy((error) => isEdgeDbError(error, 'REPLICA_BEHIND'));
      expect(proxy.stats().sqlRequests - requestsBefore).toBe(1);

      const unchecked = await withConnection(replica, (c) =>
        replica.replication.executeWithPosition(c, read, { role: 'replica' }),
      );
      expect(unchecked.result.rows).toEqual([]);
      expect(unchecked.position! < written!).toBe(true);
    } finally {
      await standby.resume();
    }
    await replicaCaughtUp();
    const written = await withConnection(primary, (c) => primary.replication.readPosition(c, 'primary'));
    const read = db.selectFrom('neon_person').select('id').where('id', '=', 21).compile();
    const caughtUp = await withConnection(replica, (c) =>
      replica.replication.executeWithPosition<{ id: number }>(c, read, {
        role: 'replica',
        minPosition: written,
      }),
    );
    expect(caughtUp.result.rows).toEqual([{ id: 21 }]);
    expect(caughtUp.position! >= written!).toBe(true);
  });

  it('reports the primary position over HTTP and agrees with the cluster', async () => {
    const position = await withConnection(primary, (c) => primary.replication.readPosition(c, 'primary'));
    const fromCluster = await cluster.primary.currentPosition();
    expect(position).toBeTypeOf('bigint');
    expect(fromCluster >= position!).toBe(true);
  });

  it('checks a replica inside a session with two statements on the same connection', async () => {
    const read = CompiledQuery.raw('select pg_is_in_recovery() as recovery');
    const result = await withConnection(replica, async (c) => {
      await c.executeQuery(CompiledQuery.raw("set application_name = 'session-check'"));
      expect(c.transport).toBe('websocket');
      return replica.replication.executeWithPosition<{ recovery: boolean }>(c, read, { role: 'replica' });
    });
    expect(result.result.rows).toEqual([{ recovery: true }]);
    expect(result.position).toBeTypeOf('bigint');
  });
});

describe('latency, deadlines and clean-up', () => {
  /** Median wall time of `times` sequential runs, in whole milliseconds. */
  async function timed(run: () => Promise<unknown>, times = 3): Promise<number> {
    const samples: number[] = [];
    for (let index = 0; index < times; index += 1) {
      const start = performance.now();
      await run();
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    return Math.round(samples[Math.floor(times / 2)]!);
  }

  it('shows the relay latency in both transports (logged, not asserted)', async () => {
    const standby = cluster.replicas[0]!;
    const query = () => sql`select 1`.execute(replicaDb);
    const transaction = () => replicaDb.transaction().execute((trx) => sql`select 1`.execute(trx));
    await query();
    const fast = { http: await timed(query, 5), websocketTransaction: await timed(transaction) };
    standby.setLatency(20);
    try {
      await query();
      const slow = { http: await timed(query, 5), websocketTransaction: await timed(transaction) };
      console.log(
        `neon driver through the local proxy, replica at 0 ms vs 20 ms one-way: ${JSON.stringify({ fast, slow })}`,
      );
    } finally {
      standby.setLatency(0);
    }
    expect(proxy.stats().sqlRequests).toBeGreaterThan(0);
  });

  it('rejects an HTTP request that outlives requestTimeoutMs with TIMEOUT', async () => {
    const standby = cluster.replicas[0]!;
    const impatient = new Kysely<Database>({
      dialect: neon({ ...neonLocalSettings(proxy, standby.url), requestTimeoutMs: 300 }).dialect,
    });
    standby.setMode('blackhole');
    try {
      await expect(sql`select 1`.execute(impatient)).rejects.toSatisfy((error) =>
        isEdgeDbError(error, 'TIMEOUT'),
      );
    } finally {
      standby.setMode('up');
      await impatient.destroy();
    }
  });

  it('ends open WebSocket sessions on destroy and leaves no relay open', async () => {
    const scratch = new Kysely<Database>({
      dialect: neon(neonLocalSettings(proxy, cluster.primary.url)).dialect,
    });
    const trx = await scratch.startTransaction().execute();
    await sql`select 1`.execute(trx);
    expect(proxy.stats().openRelays).toBeGreaterThan(0);
    await scratch.destroy();
    await expect.poll(() => proxy.stats().openRelays, { timeout: 5_000 }).toBe(0);
    await expect(sql`select 1`.execute(scratch)).rejects.toThrow();
  });
});

const neonPrimaryUrl = process.env.NEON_PRIMARY_URL;
const neonReplicaUrl = process.env.NEON_REPLICA_URL;
if (neonPrimaryUrl === undefined) {
  console.log(
    'neon-driver: skipping the real Neon suite: set NEON_PRIMARY_URL (and optionally NEON_REPLICA_URL).',
  );
}

describe.runIf(neonPrimaryUrl !== undefined)('a real Neon project', () => {
  // Node 20 has no global WebSocket; Node 22, workerd, Deno and edge-runtime do.
  const webSocket = globalThis.WebSocket === undefined ? { webSocketConstructor: WebSocket } : {};

  it('runs statements over HTTP and transactions over WebSocket', async () => {
    const real = new Kysely<Database>({ dialect: neon({ url: neonPrimaryUrl!, ...webSocket }).dialect });
    try {
      const overHttp = await sql<{ one: number }>`select 1 as one`.execute(real);
      const overWebSocket = await real
        .transaction()
        .execute((trx) => sql<{ one: number }>`select 1 as one`.execute(trx));
      expect(overHttp.rows).toEqual([{ one: 1 }]);
      expect(overWebSocket.rows).toEqual([{ one: 1 }]);
    } finally {
      await real.destroy();
    }
  });

  it('reads the primary position, and the replay position on the read replica when NEON_REPLICA_URL is set', async () => {
    const realPrimary = neon({ url: neonPrimaryUrl!, ...webSocket });
    expect(
      await withConnection(realPrimary, (c) => realPrimary.replication.readPosition(c, 'primary')),
    ).toBeTypeOf('bigint');
    if (neonReplicaUrl === undefined) {
      console.log('neon-driver: no NEON_REPLICA_URL, skipping the replica position check.');
      return;
    }
    const realReplica = neon({ url: neonReplicaUrl, ...webSocket });
    expect(
      await withConnection(realReplica, (c) => realReplica.replication.readPosition(c, 'replica')),
    ).toBeTypeOf('bigint');
  });
});
