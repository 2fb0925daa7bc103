import { createClient as createWebClient, LibsqlError } from '@libsql/client/web';
import { CompiledQuery, type Generated, Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { libsql } from '../../../../src/drivers/libsql/libsql-backend.js';
import { LibsqlConnection } from '../../../../src/drivers/libsql/libsql-connection.js';
import { isEdgeDbError } from '../../../../src/errors/edge-db-error.js';
import { type Answer, hranaError, scriptedFetch, stmtResult } from './libsql-scripted-fetch.js';

interface Database {
  person: { id: Generated<number>; name: string; photo: Uint8Array | null };
}

const URL = 'http://127.0.0.1:1';

const selectPeople: Answer = (text) =>
  text.startsWith('select')
    ? stmtResult({
        cols: [
          { name: 'id', decltype: 'INTEGER' },
          { name: 'name', decltype: 'TEXT' },
          { name: 'photo', decltype: 'BLOB' },
        ],
        rows: [
          [
            { type: 'integer', value: '1' },
            { type: 'text', value: 'Ada' },
            { type: 'blob', base64: 'AQID' },
          ],
          [{ type: 'integer', value: '2' }, { type: 'text', value: 'Grace' }, { type: 'null' }],
        ],
        replication_index: '7',
      })
    : stmtResult({ affected_row_count: 1, last_insert_rowid: '42', replication_index: '8' });

function setup(answer: Answer, extra: { requestTimeoutMs?: number } = {}) {
  const script = scriptedFetch(answer);
  const backend = libsql({ url: URL, fetch: script.fetch, name: 'replica-0', ...extra });
  const db = new Kysely<Database>({ dialect: backend.dialect });
  return { script, backend, db };
}

async function withConnection<T>(
  backend: ReturnType<typeof libsql>,
  fn: (connection: LibsqlConnection) => Promise<T>,
): Promise<T> {
  const driver = backend.dialect.createDriver();
  await driver.init();
  const connection = await driver.acquireConnection();
  try {
    if (!LibsqlConnection.is(connection)) throw new Error('not a libSQL connection');
    return await fn(connection);
  } finally {
    await driver.releaseConnection(connection);
    await driver.destroy();
  }
}

describe('libsql driver: result mapping', () => {
  it('returns rows as plain objects, blobs as Uint8Array, and no affected rows for selects', async () => {
    const { db } = setup(selectPeople);
    const result = await db.selectFrom('person').selectAll().executeTakeFirstOrThrow();
    expect(result).toEqual({ id: 1, name: 'Ada', photo: new Uint8Array([1, 2, 3]) });
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    const full = await db.executeQuery(db.selectFrom('person').selectAll().compile());
    expect(full.numAffectedRows).toBeUndefined();
    expect(full.insertId).toBeUndefined();
    expect(full.rows[1]).toEqual({ id: 2, name: 'Grace', photo: null });
  });

  it('reports numAffectedRows and insertId as bigint for inserts', async () => {
    const { db } = setup(selectPeople);
    const result = await db
      .insertInto('person')
      .values({ name: 'Linus', photo: null })
      .executeTakeFirstOrThrow();
    expect(result.insertId).toBe(42n);
    expect(result.numInsertedOrUpdatedRows).toBe(1n);
  });

  it('reports numAffectedRows but no insertId for updates and deletes', async () => {
    const { db } = setup(selectPeople);
    const update = await db.executeQuery(db.updateTable('person').set({ name: 'x' }).compile());
    expect(update.numAffectedRows).toBe(1n);
    expect(update.insertId).toBeUndefined();
    const del = await db.deleteFrom('person').executeTakeFirstOrThrow();
    expect(del.numDeletedRows).toBe(1n);
  });

  it('treats raw SQL without result columns as a write', async () => {
    const { db } = setup(selectPeople);
    const result = await sql`insert into person (name) values ('raw')`.execute(db);
    expect(result.numAffectedRows).toBe(1n);
    expect(result.insertId).toBe(42n);
  });

  it('sends parameters as Hrana values, integers as strings', async () => {
    const { db, script } = setup(selectPeople);
    await db
      .insertInto('person')
      .values({ name: 'Bob', photo: new Uint8Array([255]) })
      .execute();
    const requests = (script.bodies[0]?.requests ?? []) as { stmt?: { args: unknown[] } }[];
    const stmt = requests[0]?.stmt;
    expect(stmt?.args).toEqual([
      { type: 'text', value: 'Bob' },
      { type: 'blob', base64: '/w==' },
    ]);
  });
});

describe('libsql driver: replication index', () => {
  it('captures the index of a response as a bigint, beyond 2^53', async () => {
    const { backend } = setup(() => stmtResult({ replication_index: '9007199254740993' }));
    await withConnection(backend, async (connection) => {
      const { position } = await backend.replication.executeWithPosition(
        connection,
        CompiledQuery.raw('select 1'),
        {
          role: 'primary',
        },
      );
      expect(position).toBe(9007199254740993n);
      expect(connection.replicationIndex).toBe(9007199254740993n);
    });
  });

  it('injects the required index into the statement on a replica, as a JSON string', async () => {
    const { backend, script } = setup(() => stmtResult({ replication_index: '18446744073709551615' }));
    await withConnection(backend, async (connection) => {
      const { position } = await backend.replication.executeWithPosition(
        connection,
        CompiledQuery.raw('select 1'),
        {
          role: 'replica',
          minPosition: 18446744073709551614n,
        },
      );
      expect(position).toBe(18446744073709551615n);
    });
    expect(script.statements).toEqual([
      { sql: 'select 1', replicationIndex: '18446744073709551614', via: 'execute' },
    ]);
  });

  it('requires the index for that one request only', async () => {
    const { backend, script } = setup(() => stmtResult({ replication_index: '5' }));
    await withConnection(backend, async (connection) => {
      await backend.replication.executeWithPosition(connection, CompiledQuery.raw('select 1'), {
        role: 'replica',
        minPosition: 5n,
      });
      await connection.executeQuery(CompiledQuery.raw('select 2'));
    });
    expect(script.statements.map((s) => s.replicationIndex)).toEqual(['5', undefined]);
  });

  it('does not make a primary wait for an index', async () => {
    const { backend, script } = setup(() => stmtResult({ replication_index: '5' }));
    await withConnection(backend, (connection) =>
      backend.replication.executeWithPosition(connection, CompiledQuery.raw('select 1'), {
        role: 'primary',
        minPosition: 3n,
      }),
    );
    expect(script.statements[0]?.replicationIndex).toBeUndefined();
  });

  it('readPosition runs one cheap statement and returns its index', async () => {
    const { backend, script } = setup(() => stmtResult({ replication_index: '31' }));
    const position = await withConnection(backend, (connection) =>
      backend.replication.readPosition(connection, 'replica'),
    );
    expect(position).toBe(31n);
    expect(script.statements.map((s) => s.sql)).toEqual(['select 1']);
  });

  it('returns an undefined position when the server reports none', async () => {
    const { backend } = setup(() => stmtResult());
    const position = await withConnection(backend, (connection) =>
      backend.replication.readPosition(connection, 'primary'),
    );
    expect(position).toBeUndefined();
  });

  it('learns the highest index of batch responses inside transactions', async () => {
    let next = 10;
    const { db, backend } = setup(() => stmtResult({ replication_index: String(next++) }));
    await withConnection(backend, async (connection) => {
      const driver = backend.dialect.createDriver();
      await driver.beginTransaction(connection, {});
      await connection.executeQuery(CompiledQuery.raw('insert into person (name) values (1)'));
      await driver.commitTransaction(connection);
      // BEGIN (10), insert (11), COMMIT (12)
      expect(connection.replicationIndex).toBe(12n);
    });
    await db.destroy();
  });

  it('injects the required index into batches of an open transaction', async () => {
    const { backend, script } = setup(() => stmtResult({ replication_index: '4' }));
    await withConnection(backend, async (connection) => {
      const driver = backend.dialect.createDriver();
      await driver.beginTransaction(connection, { accessMode: 'read only' });
      await backend.replication.executeWithPosition(connection, CompiledQuery.raw('select 1'), {
        role: 'replica',
        minPosition: 4n,
      });
      await driver.commitTransaction(connection);
    });
    expect(script.statements).toEqual([
      { sql: 'BEGIN TRANSACTION READONLY', replicationIndex: '4', via: 'batch' },
      { sql: 'select 1', replicationIndex: '4', via: 'batch' },
      { sql: 'COMMIT', replicationIndex: undefined, via: 'execute' },
    ]);
  });

  it('maps REPLICATION_INDEX_TIMEOUT to REPLICA_BEHIND, keeping the LibsqlError as cause', async () => {
    const { backend } = setup(() => hranaError('REPLICATION_INDEX_TIMEOUT'));
    const error = await withConnection(backend, (connection) =>
      backend.replication.executeWithPosition(connection, CompiledQuery.raw('select 1'), {
        role: 'replica',
        minPosition: 99n,
      }),
    ).catch((e: unknown) => e);
    expect(isEdgeDbError(error, 'REPLICA_BEHIND')).toBe(true);
    expect((error as Error).cause).toBeInstanceOf(LibsqlError);
    expect((error as Error).message).toContain('replica-0');
  });

  it('maps READONLY to READ_ONLY_NODE, also outside the adapter', async () => {
    const { db } = setup(() => hranaError('READONLY'));
    const error = await db
      .insertInto('person')
      .values({ name: 'x', photo: null })
      .execute()
      .catch((e: unknown) => e);
    expect(isEdgeDbError(error, 'READ_ONLY_NODE')).toBe(true);
  });

  it('passes other libSQL errors through unchanged', async () => {
    const { db } = setup(() => hranaError('SQLITE_CONSTRAINT', 'UNIQUE constraint failed: person.id'));
    const error = await db
      .insertInto('person')
      .values({ name: 'x', photo: null })
      .execute()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LibsqlError);
    expect((error as LibsqlError).code).toBe('SQLITE_CONSTRAINT');
  });

  it('refuses a required index on a transport that cannot carry it', async () => {
    const { createClient } = await import('@libsql/client');
    const backend = libsql({ url: 'file::memory:', createClient });
    const error = await withConnection(backend, (connection) =>
      backend.replication.executeWithPosition(connection, CompiledQuery.raw('select 1'), {
        role: 'replica',
        minPosition: 1n,
      }),
    ).catch((e: unknown) => e);
    expect(isEdgeDbError(error, 'REPLICA_BEHIND')).toBe(true);
  });

  it('rejects connections of other drivers', async () => {
    const { backend } = setup(selectPeople);
    const foreign = { executeQuery: async () => ({ rows: [] }), streamQuery: async function* () {} };
    const error = await backend.replication.readPosition(foreign, 'primary').catch((e: unknown) => e);
    expect(isEdgeDbError(error, 'CONFIG_INVALID')).toBe(true);
  });
});

describe('libsql driver: transactions', () => {
  it("passes a failed COMMIT's own error through", async () => {
    // A deferred foreign key fails the COMMIT itself. Kysely then rolls back: that rollback must find the
    // transaction still open instead of replacing SQLite's error with one of edge-db's.
    const { createClient } = await import('@libsql/client');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'edb-commit-')), 'db.sqlite');
    const db = new Kysely<{ parent: { id: number }; child: { id: number; parent_id: number } }>({
      dialect: libsql({ url: `file:${file}`, createClient }).dialect,
    });
    try {
      await sql`create table parent (id integer primary key)`.execute(db);
      await sql`create table child (id integer primary key, parent_id integer references parent (id) deferrable initially deferred)`.execute(
        db,
      );
      const error = await db
        .transaction()
        .execute(async (trx) => {
          await sql`pragma foreign_keys = on`.execute(trx);
          await trx.insertInto('child').values({ id: 1, parent_id: 42 }).execute();
        })
        .catch((e: unknown) => e);
      expect(isEdgeDbError(error)).toBe(false);
      expect(String((error as Error).message)).toMatch(/FOREIGN KEY constraint failed/);
      // Not asserted: a transaction after it on the same instance. With the lowest @libsql/client the package
      // allows, the failed transaction's client keeps SQLite's lock and the next COMMIT gets SQLITE_BUSY (an
      // open issue: clients that failed go back to the idle pool).
    } finally {
      await db.destroy();
    }
  });

  const begins = async (settings: 'read only' | 'read write' | undefined) => {
    const { db, script } = setup(selectPeople);
    let builder = db.transaction();
    if (settings) builder = builder.setAccessMode(settings);
    await builder.execute((trx) => trx.selectFrom('person').selectAll().execute());
    return script.statements.map((s) => s.sql);
  };

  it('maps access modes to libSQL transaction modes', async () => {
    expect((await begins('read only'))[0]).toBe('BEGIN TRANSACTION READONLY');
    expect((await begins('read write'))[0]).toBe('BEGIN IMMEDIATE');
    expect((await begins(undefined))[0]).toBe('BEGIN DEFERRED');
  });

  it('commits on success and rolls back on failure', async () => {
    const { db, script } = setup(selectPeople);
    await db
      .transaction()
      .execute((trx) => trx.insertInto('person').values({ name: 'a', photo: null }).execute());
    expect(script.statements.at(-1)?.sql).toBe('COMMIT');
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('person').values({ name: 'b', photo: null }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(script.statements.at(-1)?.sql).toBe('ROLLBACK');
  });

  it('sends savepoints as quoted SQL inside the transaction', async () => {
    const { db, script } = setup(selectPeople);
    const trx = await db.startTransaction().execute();
    await trx.insertInto('person').values({ name: 'a', photo: null }).execute();
    const sp = await trx.savepoint('sp"1').execute();
    await sp.rollbackToSavepoint('sp"1').execute();
    const sp2 = await trx.savepoint('sp2').execute();
    await sp2.releaseSavepoint('sp2').execute();
    await trx.commit().execute();
    expect(script.statements.map((s) => s.sql)).toEqual([
      'BEGIN DEFERRED',
      'insert into "person" ("name", "photo") values (?, ?)',
      'savepoint "sp""1"',
      'rollback to "sp""1"',
      'savepoint "sp2"',
      'release "sp2"',
      'COMMIT',
    ]);
  });
});

describe('libsql driver: connections, streaming, deadlines, config', () => {
  it('reuses one client across sequential acquires and closes it on destroy (15.3)', async () => {
    const clients: { closed: boolean }[] = [];
    const script = scriptedFetch(selectPeople);
    const backend = libsql({
      url: URL,
      fetch: script.fetch,
      createClient: (config) => {
        const client = createWebClient(config);
        clients.push(client);
        return client;
      },
    });
    const db = new Kysely<Database>({ dialect: backend.dialect });
    await db.selectFrom('person').selectAll().execute();
    await db.selectFrom('person').selectAll().execute();
    await db.transaction().execute(async (trx) => trx.selectFrom('person').selectAll().execute());
    expect(clients).toHaveLength(1);
    expect(clients[0]?.closed).toBe(false);
    // Concurrent connections each hold a client of their own (per-connection index tracking and signal).
    await db.destroy();
    expect(clients.every((c) => c.closed)).toBe(true);
    // Two connections held at once each have a client of their own (per-connection index tracking and
    // signal); asked of the driver directly, whatever Kysely's scheduling of concurrent queries.
    const driver = backend.dialect.createDriver();
    await driver.init();
    const first = await driver.acquireConnection();
    const second = await driver.acquireConnection();
    expect(clients).toHaveLength(3);
    await driver.releaseConnection(first);
    await driver.releaseConnection(second);
    await driver.destroy();
    expect(clients.every((c) => c.closed)).toBe(true);
  });

  it("keeps a connection's replication index its own when the client is reused", async () => {
    const { backend } = setup(selectPeople);
    const driver = backend.dialect.createDriver();
    await driver.init();
    const first = await driver.acquireConnection();
    if (!LibsqlConnection.is(first)) throw new Error('not a libSQL connection');
    await first.executeQuery(CompiledQuery.raw('select 1'));
    expect(first.replicationIndex).toBe(7n);
    await driver.releaseConnection(first);
    const second = await driver.acquireConnection();
    if (!LibsqlConnection.is(second)) throw new Error('not a libSQL connection');
    expect(second.replicationIndex).toBeUndefined();
    await driver.releaseConnection(second);
    await driver.destroy();
  });

  it('sends the auth token', async () => {
    const script = scriptedFetch(selectPeople);
    const db = new Kysely<Database>({
      dialect: libsql({ url: URL, fetch: script.fetch, authToken: 's3cret' }).dialect,
    });
    await db.selectFrom('person').selectAll().execute();
    expect(script.headers[0]?.get('authorization')).toBe('Bearer s3cret');
  });

  it('refuses to stream with UNSUPPORTED instead of buffering silently', async () => {
    const { db, script } = setup(selectPeople);
    const error = await (async () => {
      for await (const _ of db.selectFrom('person').selectAll().stream()) {
        // unreachable
      }
    })().catch((e: unknown) => e);
    expect(isEdgeDbError(error, 'UNSUPPORTED')).toBe(true);
    expect(script.bodies).toHaveLength(0);
  });

  it('fails a request that misses its deadline with TIMEOUT', async () => {
    const hanging = (_input: Request, init?: RequestInit) =>
      new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    const db = new Kysely<Database>({
      dialect: libsql({ url: URL, fetch: hanging, requestTimeoutMs: 20 }).dialect,
    });
    const error = await db
      .selectFrom('person')
      .selectAll()
      .execute()
      .catch((e: unknown) => e);
    expect(isEdgeDbError(error, 'TIMEOUT')).toBe(true);
  });

  it.each([
    [{ url: '' }, '`url`'],
    [{ url: URL, requestTimeoutMs: 0 }, '`requestTimeoutMs`'],
    [{ url: URL, intMode: 'float' }, '`intMode`'],
    [{ url: URL, fetch: 'nope' }, '`fetch`'],
  ])('rejects invalid options %j', (options, mention) => {
    expect(() => libsql(options as never)).toThrow(mention);
    try {
      libsql(options as never);
    } catch (error) {
      expect(isEdgeDbError(error, 'CONFIG_INVALID')).toBe(true);
    }
  });

  it('accepts the platform fetch and both createClient flavours without casts', async () => {
    const { createClient: createNodeClient } = await import('@libsql/client');
    const backends = [
      libsql({ url: URL, fetch: globalThis.fetch }),
      libsql({ url: URL, createClient: createWebClient }),
      libsql({ url: URL, createClient: createNodeClient }),
    ];
    expect(backends.map((b) => b.replication.family)).toEqual(['libsql', 'libsql', 'libsql']);
  });

  it('does no I/O before the first statement', () => {
    const script = scriptedFetch(selectPeople);
    const backend = libsql({ url: URL, fetch: script.fetch });
    new Kysely<Database>({ dialect: backend.dialect });
    expect(script.bodies).toHaveLength(0);
    expect(backend.replication.family).toBe('libsql');
    expect(Object.isFrozen(backend)).toBe(true);
  });
});
