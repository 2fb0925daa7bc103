import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, createClient, LibsqlError } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LibsqlServer, startLibsqlServer } from '../../../src/testing/libsql/libsql-server.js';

let dir: string;
let server: LibsqlServer;
let authServer: LibsqlServer;
let shortServer: LibsqlServer;
let client: Client;

async function pipeline(url: string, body: unknown, token?: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${url}/v2/pipeline`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, json: await response.json() };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edge-db-libsql-server-'));
  server = await startLibsqlServer({ role: 'primary', dbPath: join(dir, 'primary.db') });
  shortServer = await startLibsqlServer({
    role: 'primary',
    dbPath: join(dir, 'short.db'),
    streamIdleTimeoutMs: 200,
  });
  authServer = await startLibsqlServer({
    role: 'primary',
    dbPath: join(dir, 'auth.db'),
    authToken: 's3cret',
  });
  client = createClient({ url: server.url, intMode: 'bigint' });
  await client.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, f REAL, s TEXT, b BLOB)');
});

afterAll(async () => {
  client?.close();
  await server?.stop();
  await authServer?.stop();
  await shortServer?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('local libSQL server with @libsql/client', () => {
  it('round-trips every value type, integers beyond 2^53 exactly', async () => {
    const big = 2n ** 62n + 3n;
    const blob = new Uint8Array([0, 1, 254, 255]);
    const inserted = await client.execute({
      sql: 'INSERT INTO t (i, f, s, b) VALUES (?, ?, ?, ?) RETURNING *',
      args: [big, 1.25, 'héllo', blob],
    });
    expect(inserted.rowsAffected).toBe(1);
    expect(inserted.columnTypes).toEqual(['INTEGER', 'INTEGER', 'REAL', 'TEXT', 'BLOB']);
    const row = inserted.rows[0] as Record<string, unknown>;
    expect(row.i).toBe(big);
    expect(row.f).toBe(1.25);
    expect(row.s).toBe('héllo');
    expect([...new Uint8Array(row.b as ArrayBuffer)]).toEqual([...blob]);
    expect(inserted.lastInsertRowid).toBe(row.id);
    const nulls = await client.execute('SELECT NULL AS n, -9223372036854775808 AS lo, 0.5 AS half');
    expect(nulls.rows[0]).toMatchObject({ n: null, lo: -(2n ** 63n), half: 0.5 });
  });

  it('binds named and positional arguments', async () => {
    const named = await client.execute({
      sql: 'SELECT :a AS a, @b AS b, $c AS c',
      args: { a: 1n, b: 'two', c: null },
    });
    expect(named.rows[0]).toMatchObject({ a: 1n, b: 'two', c: null });
    const positional = await client.execute({
      sql: 'SELECT ? AS x, ?3 AS z, ?2 AS y',
      args: ['x', 'y', 'z'],
    });
    expect(positional.rows[0]).toMatchObject({ x: 'x', y: 'y', z: 'z' });
  });

  it('raises constraint violations as LibsqlError with the SQLite code', async () => {
    await client.execute({ sql: 'INSERT INTO t (id, i) VALUES (1000, 1)' });
    const error = await client
      .execute({ sql: 'INSERT INTO t (id, i) VALUES (1000, 2)' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LibsqlError);
    expect((error as LibsqlError).code).toBe('SQLITE_CONSTRAINT');
    const syntax = await client.execute('SELEC 1').catch((e: unknown) => e);
    expect((syntax as LibsqlError).code).toBe('SQLITE_ERROR');
  });

  it('runs batches atomically and executeMultiple as a sequence', async () => {
    const results = await client.batch(
      [{ sql: 'INSERT INTO t (id, s) VALUES (2000, ?)', args: ['batch'] }, 'SELECT s FROM t WHERE id = 2000'],
      'write',
    );
    expect(results[1]?.rows[0]).toMatchObject({ s: 'batch' });
    const failed = await client
      .batch(['INSERT INTO t (id, s) VALUES (2001, 1)', 'INSERT INTO t (id, s) VALUES (2000, 1)'], 'write')
      .catch((e: unknown) => e);
    expect((failed as LibsqlError).code).toBe('SQLITE_CONSTRAINT');
    const after = await client.execute('SELECT count(*) AS n FROM t WHERE id = 2001');
    expect(after.rows[0]?.n).toBe(0n);
    await client.executeMultiple('INSERT INTO t (id) VALUES (2002); INSERT INTO t (id) VALUES (2003);');
    expect((await client.execute('SELECT count(*) AS n FROM t WHERE id IN (2002, 2003)')).rows[0]?.n).toBe(
      2n,
    );
  });

  it('keeps interactive transactions on their own connection (commit and rollback)', async () => {
    const rolledBack = await client.transaction('write');
    await rolledBack.execute("INSERT INTO t (id, s) VALUES (3000, 'gone')");
    expect((await rolledBack.execute('SELECT count(*) AS n FROM t WHERE id = 3000')).rows[0]?.n).toBe(1n);
    // Another stream does not see the uncommitted row.
    expect((await client.execute('SELECT count(*) AS n FROM t WHERE id = 3000')).rows[0]?.n).toBe(0n);
    await rolledBack.rollback();
    const committed = await client.transaction('write');
    await committed.execute("INSERT INTO t (id, s) VALUES (3001, 'kept')");
    await committed.commit();
    const rows = await client.execute('SELECT id FROM t WHERE id IN (3000, 3001)');
    expect(rows.rows.map((r) => r.id)).toEqual([3001n]);
  });

  it('serialises concurrent write transactions with asynchronous busy retries', async () => {
    const other = createClient({ url: server.url, intMode: 'bigint' });
    try {
      const first = await client.transaction('write');
      await first.execute("INSERT INTO t (id, s) VALUES (4000, 'first')");
      // @libsql/client sends BEGIN IMMEDIATE together with the first statement.
      let secondInserted = false;
      const tx = await other.transaction('write');
      const second = tx.execute("INSERT INTO t (id, s) VALUES (4001, 'second')").then(() => {
        secondInserted = true;
      });
      // The event loop stays free while the second BEGIN IMMEDIATE retries: reads keep working.
      expect((await client.execute('SELECT count(*) AS n FROM t WHERE id = 4000')).rows[0]?.n).toBe(0n);
      expect(secondInserted).toBe(false);
      await first.commit();
      await second;
      await tx.commit();
      expect((await client.execute('SELECT count(*) AS n FROM t WHERE id IN (4000, 4001)')).rows[0]?.n).toBe(
        2n,
      );
    } finally {
      other.close();
    }
  });

  it('answers describe, get_autocommit, store_sql and replication_index on the wire', async () => {
    const { json } = await pipeline(server.url, {
      baton: null,
      requests: [
        { type: 'store_sql', sql_id: 1, sql: 'SELECT id, s FROM t WHERE id = :id' },
        { type: 'describe', sql_id: 1 },
        { type: 'execute', stmt: { sql: 'BEGIN' } },
        { type: 'get_autocommit' },
        {
          type: 'batch',
          batch: {
            steps: [
              { stmt: { sql: 'SELECT 1' }, condition: { type: 'not', cond: { type: 'is_autocommit' } } },
              { stmt: { sql: 'SELECT 2' }, condition: { type: 'error', step: 0 } },
            ],
          },
        },
        { type: 'execute', stmt: { sql: 'ROLLBACK' } },
        {
          type: 'execute',
          stmt: { sql_id: 1, named_args: [{ name: 'id', value: { type: 'integer', value: '2000' } }] },
        },
        { type: 'execute', stmt: { sql: 'SELECT 1; SELECT 2' } },
        { type: 'close_sql', sql_id: 1 },
        { type: 'execute', stmt: { sql_id: 1 } },
        { type: 'close' },
      ],
    });
    expect(json.baton).toBeNull();
    const [, describe, , autocommit, batch, , execute, many, , missing, close] = json.results;
    expect(describe.response.result).toMatchObject({
      params: [{ name: ':id' }],
      cols: [
        { name: 'id', decltype: 'INTEGER' },
        { name: 's', decltype: 'TEXT' },
      ],
      is_explain: false,
      is_readonly: true,
    });
    expect(autocommit.response.is_autocommit).toBe(false);
    expect(batch.response.result.step_results[0].rows).toEqual([[{ type: 'integer', value: '1' }]]);
    expect(batch.response.result.step_results[1]).toBeNull();
    expect(execute.response.result.rows[0][1]).toEqual({ type: 'text', value: 'batch' });
    expect(BigInt(execute.response.result.replication_index)).toBeGreaterThan(0n);
    expect(BigInt(execute.response.result.replication_index)).toBe(server.replicationIndex());
    expect(many.error.code).toBe('SQL_MANY_STATEMENTS');
    expect(missing.error.code).toBe('SQL_NOT_FOUND');
    expect(close.type).toBe('ok');
  });

  it('advances the replication index with each commit, not with rolled-back work', async () => {
    const before = server.replicationIndex();
    await client.execute("INSERT INTO t (s) VALUES ('tick')");
    const afterCommit = server.replicationIndex();
    expect(afterCommit).toBeGreaterThan(before);
    const tx = await client.transaction('write');
    await tx.execute("INSERT INTO t (s) VALUES ('never')");
    await tx.rollback();
    expect(server.replicationIndex()).toBe(afterCommit);
  });

  it('expires idle batons and rolls their transaction back', async () => {
    const opened = await pipeline(shortServer.url, {
      baton: null,
      requests: [
        { type: 'execute', stmt: { sql: 'CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY)' } },
        { type: 'execute', stmt: { sql: 'BEGIN IMMEDIATE' } },
        { type: 'execute', stmt: { sql: 'INSERT INTO t (id) VALUES (5000)' } },
      ],
    });
    expect(typeof opened.json.baton).toBe('string');
    const reused = await pipeline(shortServer.url, { baton: opened.json.baton, requests: [] });
    expect(reused.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const expired = await pipeline(shortServer.url, {
      baton: reused.json.baton,
      requests: [{ type: 'close' }],
    });
    expect(expired.status).toBe(400);
    expect(expired.json.code).toBe('STREAM_EXPIRED');
    // Spent batons are refused too.
    expect((await pipeline(shortServer.url, { baton: opened.json.baton, requests: [] })).status).toBe(400);
    const count = await pipeline(shortServer.url, {
      baton: null,
      requests: [{ type: 'execute', stmt: { sql: 'SELECT count(*) FROM t WHERE id = 5000' } }],
    });
    expect(count.json.results[0].response.result.rows).toEqual([[{ type: 'integer', value: '0' }]]);
    // The write lock was released: writes work again.
    const write = await pipeline(shortServer.url, {
      baton: null,
      requests: [{ type: 'execute', stmt: { sql: 'INSERT INTO t (id) VALUES (5001)' } }],
    });
    expect(write.json.results[0].type).toBe('ok');
  });

  it('serves /v3/cursor, version probes and the replication endpoint', async () => {
    expect((await fetch(`${server.url}/v2`)).status).toBe(200);
    expect((await fetch(`${server.url}/v3`)).status).toBe(200);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const replication = await (await fetch(`${server.url}/edge-db/replication`)).json();
    expect(replication).toMatchObject({ role: 'primary', generation: 1 });
    expect(BigInt(replication.replication_index)).toBe(server.replicationIndex());
    const cursor = await fetch(`${server.url}/v3/cursor`, {
      method: 'POST',
      body: JSON.stringify({
        baton: null,
        batch: { steps: [{ stmt: { sql: 'SELECT 7' } }, { stmt: { sql: 'SELEC' } }] },
      }),
    });
    const lines = (await cursor.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type ?? 'head')).toEqual([
      'head',
      'step_begin',
      'row',
      'step_end',
      'step_error',
    ]);
  });

  it('requires the bearer token when one is configured', async () => {
    const anonymous = createClient({ url: authServer.url });
    const wrong = createClient({ url: authServer.url, authToken: 'nope' });
    const right = createClient({ url: authServer.url, authToken: 's3cret' });
    try {
      expect(((await anonymous.execute('SELECT 1').catch((e: unknown) => e)) as LibsqlError).code).toBe(
        'UNAUTHORIZED',
      );
      expect(((await wrong.execute('SELECT 1').catch((e: unknown) => e)) as LibsqlError).code).toBe(
        'UNAUTHORIZED',
      );
      expect((await right.execute('SELECT 1 AS one')).rows[0]?.one).toBe(1);
      expect((await fetch(`${authServer.url}/health`)).status).toBe(200);
    } finally {
      anonymous.close();
      wrong.close();
      right.close();
    }
  });

  it('refuses connections when down and never answers when blackholed', async () => {
    server.setMode('down');
    await expect(fetch(`${server.url}/health`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
    server.setMode('blackhole');
    const hanging = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(300) }).catch(
      (e: Error) => e,
    );
    expect((hanging as Error).name).toBe('TimeoutError');
    server.setMode('up');
    expect((await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
  });
});
