import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type EdgeDbConfig,
  EdgeDbError,
  edgeDb,
  explainRoute,
  type RouteEvent,
  resetClusterState,
  route,
} from '../../../src/index.js';
import { fakeCluster } from '../../support/recording-dialect.js';

interface DB {
  person: { id: number; name: string };
}

function setup(
  replicas = 2,
  config: Partial<EdgeDbConfig> = {},
  replication: 'piggyback' | 'probe' = 'piggyback',
) {
  const fake = fakeCluster(replicas, { replication });
  const events: RouteEvent[] = [];
  const db = edgeDb<DB>({
    primary: fake.primary,
    replicas: fake.replicas,
    onRoute: (event) => events.push(event),
    ...config,
  });
  return { ...fake, db, events };
}

afterEach(() => resetClusterState());

describe('routing', () => {
  it('sends reads to a replica and writes to the primary', async () => {
    const { db, cluster } = setup();
    await db.selectFrom('person').selectAll().execute();
    expect(cluster.whoRan('select * from "person"')).toMatch(/^replica-/);
    await db.insertInto('person').values({ id: 1, name: 'a' }).execute();
    expect(cluster.whoRan('insert into "person"')).toBe('primary');
    expect(cluster.openConnections()).toEqual([]);
  });

  it('runs everything on the primary without replicas', async () => {
    const { db, cluster, events } = setup(0);
    await db.selectFrom('person').selectAll().execute();
    expect(cluster.whoRan('select')).toBe('primary');
    expect(events[0]?.reason).toBe('no-replica');
  });

  it('sends locking reads to the primary', async () => {
    const { db, cluster, events } = setup();
    await db.selectFrom('person').selectAll().forUpdate().execute();
    expect(cluster.whoRan('for update')).toBe('primary');
    expect(events.at(-1)).toMatchObject({ node: 'primary', reason: 'lock', detail: 'FOR UPDATE' });
  });

  it('honours read preferences per instance and per query', async () => {
    const { db, cluster } = setup(2, { readPreference: 'primary' });
    await db.selectFrom('person').select('id').execute();
    expect(cluster.whoRan('select "id"')).toBe('primary');
    await route(db, { readPreference: 'replica' }).selectFrom('person').select('name').execute();
    expect(cluster.whoRan('select "name"')).toMatch(/^replica-/);
    await route(db, { node: 'replica-1' }).selectFrom('person').select(['id', 'name']).execute();
    expect(cluster.whoRan('select "id", "name"')).toBe('replica-1');
  });

  it('rejects a hint that would send a write to a replica', async () => {
    const { db, cluster } = setup();
    const hinted = route(db, { readPreference: 'replica' });
    await expect(hinted.insertInto('person').values({ id: 1, name: 'a' }).execute()).rejects.toMatchObject({
      code: 'WRITE_ON_REPLICA',
    });
    await expect(route(db, { node: 'replica-0' }).deleteFrom('person').execute()).rejects.toBeInstanceOf(
      EdgeDbError,
    );
    expect(cluster.statementsOn('replica-0')).toEqual([]);
    expect(cluster.statementsOn('primary')).toEqual([]);
    // replicaPreferred on a write is not an error: the write simply goes to the primary
    await route(db, { readPreference: 'replicaPreferred' }).deleteFrom('person').execute();
    expect(cluster.whoRan('delete')).toBe('primary');
  });

  it('rejects an unknown node name in a hint with a clear error', async () => {
    const { db } = setup();
    await expect(
      route(db, { node: 'nope' }).selectFrom('person').selectAll().execute(),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });

  it('runs transactions on the primary with begin/commit on one connection', async () => {
    const { db, cluster } = setup();
    await db.transaction().execute(async (trx) => {
      await trx.selectFrom('person').selectAll().execute();
      await trx.insertInto('person').values({ id: 2, name: 'b' }).execute();
    });
    const onPrimary = cluster.log.filter((s) => s.node === 'primary');
    expect(onPrimary.map((s) => s.sql.split(' ')[0])).toEqual(['begin', 'select', 'insert', 'commit']);
    expect(new Set(onPrimary.map((s) => s.connection)).size).toBe(1);
    expect(cluster.openConnections()).toEqual([]);
  });

  it('rolls back and releases when a transaction throws', async () => {
    const { db, cluster } = setup();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('person').values({ id: 3, name: 'c' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(cluster.statementsOn('primary').at(-1)).toBe('rollback');
    expect(cluster.openConnections()).toEqual([]);
  });

  it('supports savepoints and controlled transactions', async () => {
    const { db, cluster } = setup();
    const trx = await db.startTransaction().execute();
    await trx.insertInto('person').values({ id: 1, name: 'a' }).execute();
    const sp = await trx.savepoint('sp1').execute();
    await sp.insertInto('person').values({ id: 2, name: 'b' }).execute();
    const back = await sp.rollbackToSavepoint('sp1').execute();
    await back.releaseSavepoint('sp1').execute();
    await trx.commit().execute();
    expect(cluster.statementsOn('primary').map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual(
      [
        'begin undefined',
        'insert into',
        'savepoint sp1',
        'insert into',
        'rollback to',
        'release savepoint',
        'commit undefined',
      ].map((s) => s.replace(' undefined', '')),
    );
    expect(cluster.openConnections()).toEqual([]);
  });

  it('keeps read-only transactions on the primary unless allowed on replicas', async () => {
    const off = setup();
    await off.db
      .transaction()
      .setAccessMode('read only')
      .execute((trx) => trx.selectFrom('person').selectAll().execute());
    expect(off.cluster.whoRan('begin read only')).toBe('primary');
    resetClusterState();
    const on = setup(2, { readOnlyTransactionsOnReplicas: true });
    await on.db
      .transaction()
      .setAccessMode('read only')
      .execute((trx) => trx.selectFrom('person').selectAll().execute());
    expect(on.cluster.whoRan('begin read only')).toMatch(/^replica-/);
    expect(on.cluster.whoRan('select *')).toBe(on.cluster.whoRan('begin read only'));
    // a read-write transaction still goes to the primary
    await on.db.transaction().execute((trx) => trx.selectFrom('person').select('id').execute());
    expect(on.cluster.whoRan('select "id"')).toBe('primary');
  });

  it('refuses a write inside a read-only transaction that runs on a replica', async () => {
    const { db, cluster } = setup(1, { readOnlyTransactionsOnReplicas: true });
    await expect(
      db
        .transaction()
        .setAccessMode('read only')
        .execute((trx) => trx.insertInto('person').values({ id: 1, name: 'x' }).execute()),
    ).rejects.toMatchObject({ code: 'WRITE_ON_REPLICA' });
    expect(cluster.statementsOn('replica-0').filter((s) => s.startsWith('insert'))).toEqual([]);
    expect(cluster.openConnections()).toEqual([]);
  });

  it('pins db.connection() to the primary after its first write', async () => {
    const { db, cluster } = setup();
    await db.connection().execute(async (conn) => {
      await conn.selectFrom('person').select('id').execute();
      await conn.insertInto('person').values({ id: 1, name: 'a' }).execute();
      await conn.selectFrom('person').select('name').execute();
    });
    expect(cluster.whoRan('select "id"')).toMatch(/^replica-/);
    expect(cluster.whoRan('insert')).toBe('primary');
    expect(cluster.whoRan('select "name"')).toBe('primary');
    expect(cluster.openConnections()).toEqual([]);
  });

  it('pins db.connection() after a session statement', async () => {
    const { db, cluster } = setup();
    await db.connection().execute(async (conn) => {
      await sql`set search_path = app`.execute(conn);
      await conn.selectFrom('person').select('id').execute();
    });
    expect(cluster.whoRan('set search_path')).toBe('primary');
    expect(cluster.whoRan('select "id"')).toBe('primary');
  });

  it('streams from a replica and releases on early break', async () => {
    const { db, cluster } = setup(1);
    cluster.node('replica-0').rows = [{ value: 1 }, { value: 2 }, { value: 3 }];
    const seen: unknown[] = [];
    for await (const row of db.selectFrom('person').selectAll().stream(1)) {
      seen.push(row);
      break;
    }
    expect(seen).toHaveLength(1);
    expect(cluster.whoRan('select')).toBe('replica-0');
    expect(cluster.openConnections()).toEqual([]);
  });

  it('falls back to another replica, then the primary, when replicas fail', async () => {
    const { db, cluster, events } = setup(2);
    cluster.node('replica-0').failWith = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
    });
    cluster.node('replica-1').failWith = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const rows = await db.selectFrom('person').selectAll().execute();
    expect(rows).toEqual([{ value: 1 }]);
    expect(cluster.whoRan('select')).toBe('primary');
    const attempts = events.at(-1)?.attempts.map((a) => `${a.node}:${a.outcome}`) ?? [];
    expect(attempts.slice(0, 2).sort()).toEqual(['replica-0:error', 'replica-1:error']);
    expect(attempts[2]).toBe('primary:ok');
    expect(cluster.openConnections()).toEqual([]);
  });

  it('does not retry a statement error elsewhere', async () => {
    const { db, cluster } = setup(2);
    const syntax = Object.assign(new Error('syntax error at or near "selec"'), { code: '42601' });
    cluster.node('replica-0').failWith = syntax;
    cluster.node('replica-1').failWith = syntax;
    await expect(db.selectFrom('person').selectAll().execute()).rejects.toBe(syntax);
    expect(cluster.statementsOn('primary')).toEqual([]);
  });

  it('fails fast with PRIMARY_UNAVAILABLE when the primary is down, and keeps serving reads', async () => {
    const { db, cluster } = setup(1);
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    cluster.node('primary').connectFailWith = down;
    const error = await db
      .insertInto('person')
      .values({ id: 1, name: 'a' })
      .execute()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EdgeDbError);
    expect((error as EdgeDbError).code).toBe('PRIMARY_UNAVAILABLE');
    expect((error as EdgeDbError).cause).toBe(down);
    const reads = edgeDb<DB>({ primary: setup(0).primary, replicas: [] }); // unrelated instance still works
    expect(reads).toBeDefined();
    await db.selectFrom('person').selectAll().execute();
    expect(cluster.whoRan('select')).toBe('replica-0');
  });

  it('fails a strict replica read with NO_REPLICA_AVAILABLE when every replica is down', async () => {
    const { db, cluster } = setup(1, { readPreference: 'replica' });
    cluster.node('replica-0').connectFailWith = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    await expect(db.selectFrom('person').selectAll().execute()).rejects.toMatchObject({
      code: 'NO_REPLICA_AVAILABLE',
    });
    expect(cluster.statementsOn('primary')).toEqual([]);
  });
});

describe('read-your-writes inside a session', () => {
  it('reads after a write never see an older replica', async () => {
    const { db, cluster, events } = setup(1);
    await db.insertInto('person').values({ id: 1, name: 'a' }).execute();
    // replica has not applied the write: the read must not be served by it
    cluster.node('replica-0').position = 0n;
    await db.selectFrom('person').select('id').execute();
    expect(events.at(-1)?.attempts.map((a) => `${a.node}:${a.outcome}`)).toEqual([
      'replica-0:behind',
      'primary:ok',
    ]);
    // once the replica catches up it serves again
    cluster.node('replica-0').position = cluster.primaryPosition;
    await db.selectFrom('person').select('name').execute();
    expect(cluster.whoRan('select "name"')).toBe('replica-0');
  });

  it('learns a pending position from the primary when the write could not report it', async () => {
    const { db, cluster, events } = setup(1, {}, 'probe');
    await db.insertInto('person').values({ id: 1, name: 'a' }).execute();
    await db.selectFrom('person').select('id').execute();
    expect(events.at(-1)).toMatchObject({ node: 'primary', reason: 'after-write' });
    cluster.node('replica-0').position = cluster.primaryPosition;
    await db.selectFrom('person').select('name').execute();
    expect(events.at(-1)).toMatchObject({ node: 'replica-0', reason: 'checked' });
  });

  it('eventual reads ignore the session position; strong reads go to the primary', async () => {
    const { db, cluster } = setup(1);
    await db.insertInto('person').values({ id: 1, name: 'a' }).execute();
    await route(db, { consistency: 'eventual' }).selectFrom('person').select('id').execute();
    expect(cluster.whoRan('select "id"')).toBe('replica-0');
    await route(db, { consistency: 'strong' }).selectFrom('person').select('name').execute();
    expect(cluster.whoRan('select "name"')).toBe('primary');
  });
});

describe('lifecycle', () => {
  it('fans init and destroy out and aggregates failures', async () => {
    const { db, cluster } = setup(2);
    cluster.node('replica-1').initError = new Error('bad replica url');
    cluster.node('primary').initError = new Error('bad primary url');
    const error = (await db
      .selectFrom('person')
      .selectAll()
      .execute()
      .catch((e: unknown) => e)) as EdgeDbError;
    expect(error.code).toBe('LIFECYCLE_FAILED');
    expect(error.message).toContain('"primary"');
    expect(error.message).toContain('"replica-1"');
    expect((error.cause as AggregateError).errors).toHaveLength(2);
    cluster.node('replica-1').initError = undefined;
    cluster.node('primary').initError = undefined;
    await db.selectFrom('person').selectAll().execute();
    cluster.node('replica-0').destroyError = new Error('close failed');
    await expect(db.destroy()).rejects.toMatchObject({ code: 'LIFECYCLE_FAILED' });
    expect([...cluster.nodes.values()].map((n) => n.destroyCalls)).toEqual([1, 1, 1]);
  });

  it('validates configuration with clear errors', () => {
    expect(() => edgeDb({} as EdgeDbConfig)).toThrow(/primary/);
    const { primary } = fakeCluster(0);
    expect(() => edgeDb({ primary, readPreference: 'fastest' as never })).toThrow(/readPreference/);
    expect(() => edgeDb({ primary, readPreference: 'replica' })).toThrow(/at least one replica/);
    expect(() => edgeDb({ primary, timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() =>
      edgeDb({ primary: { ...primary, name: 'x' }, replicas: [{ ...primary, name: 'x' }] }),
    ).toThrow(/unique/);
  });

  it('explains a route without running it', async () => {
    const { db, cluster } = setup(2);
    const plan = await explainRoute(db, db.selectFrom('person').selectAll().forShare());
    expect(plan.attempts).toEqual([{ node: 'primary', role: 'primary', reason: 'lock', check: 'none' }]);
    const read = await explainRoute(db, db.selectFrom('person').selectAll());
    expect(read.attempts[0]?.role).toBe('replica');
    expect(read.attempts.at(-1)).toMatchObject({ node: 'primary', reason: 'fallback' });
    expect(cluster.log).toEqual([]);
  });
});

describe('Kysely 0.29 cancellation', () => {
  it('cancels through the node that runs the statement, with a control connection to that same node', async () => {
    const { db, cluster } = setup(1);
    await db.connection().execute(async (conn) => {
      await conn.selectFrom('person').selectAll().execute(); // holds a replica connection
      await conn.insertInto('person').values({ id: 1, name: 'a' }).execute(); // and a primary connection
      const routing = await conn.getExecutor().provideConnection(async (c) => c);
      await (routing as unknown as { cancelQuery(p: unknown): Promise<void> }).cancelQuery(undefined);
    });
    expect(
      cluster.log
        .filter((s) => s.sql.startsWith('cancel'))
        .map((s) => `${s.node}: ${s.sql}`)
        .sort(),
    ).toEqual(['primary: cancel via primary', 'replica-0: cancel via replica-0']);
    expect(cluster.openConnections()).toEqual([]);
  });

  it('aborts a read when the caller signal passed to executeQuery aborts', async () => {
    const { db, cluster } = setup(1);
    cluster.node('replica-0').delayMs = 200;
    const controller = new AbortController();
    const query = db.selectFrom('person').selectAll().compile();
    const pending = db.getExecutor().provideConnection(async (conn) =>
      (conn.executeQuery as (q: typeof query, o: { signal: AbortSignal }) => Promise<unknown>)(query, {
        signal: controller.signal,
      }),
    );
    setTimeout(() => controller.abort(new Error('client went away')), 20);
    await expect(pending).rejects.toThrow('client went away');
  });
});
