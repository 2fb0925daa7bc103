import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, createClient, LibsqlError } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type LibsqlServer, startLibsqlServer } from '../../../src/testing/libsql/libsql-server.js';

const TOKEN = 'ws-token';
let dir: string;
let server: LibsqlServer;
let client: Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edge-db-libsql-ws-'));
  server = await startLibsqlServer({ role: 'primary', dbPath: join(dir, 'primary.db'), authToken: TOKEN });
  client = createClient({ url: server.wsUrl, authToken: TOKEN, intMode: 'bigint' });
});

afterAll(async () => {
  client?.close();
  await server?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** A raw Hrana WebSocket session: sends `messages` after the hello and collects one answer per request. */
async function rawSession(protocol: string, messages: readonly object[]): Promise<any[]> {
  const ws = new WebSocket(server.wsUrl, [protocol]);
  const answers: any[] = [];
  const wanted = messages.length + 1;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${answers.length} answers`)), 10_000);
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'hello', jwt: TOKEN }));
      for (const message of messages) ws.send(JSON.stringify(message));
    });
    ws.on('message', (data) => {
      answers.push(JSON.parse(data.toString()));
      if (answers.length === wanted) {
        clearTimeout(timer);
        resolve();
      }
    });
    ws.on('error', reject);
  });
  expect(ws.protocol).toBe(protocol);
  ws.close();
  return answers;
}

describe('Hrana over WebSocket on the local libSQL server', () => {
  it('serves @libsql/client over ws:// (execute, batch, transactions, executeMultiple)', async () => {
    await client.execute('create table w (id integer primary key, s text)');
    const inserted = await client.execute({ sql: 'insert into w (s) values (?)', args: ['one'] });
    expect(inserted.rowsAffected).toBe(1);
    expect(inserted.lastInsertRowid).toBe(1n);
    const [, read] = await client.batch(
      [{ sql: 'insert into w (s) values (?)', args: ['two'] }, 'select s from w order by id'],
      'write',
    );
    expect(read?.rows.map((r) => r.s)).toEqual(['one', 'two']);
    const tx = await client.transaction('write');
    await tx.execute("insert into w (s) values ('gone')");
    await tx.rollback();
    await client.executeMultiple("insert into w (s) values ('three'); insert into w (s) values ('four');");
    expect((await client.execute('select count(*) as n from w')).rows[0]?.n).toBe(4n);
    // The same server answers HTTP clients on the same port and data.
    const http = createClient({ url: server.url, authToken: TOKEN, intMode: 'bigint' });
    try {
      expect((await http.execute('select count(*) as n from w')).rows[0]?.n).toBe(4n);
    } finally {
      http.close();
    }
  });

  it('answers statement errors on the socket without closing it', async () => {
    const error = await client.execute("select cast(X'FF' as text)").catch((e: unknown) => e);
    expect((error as LibsqlError).code).toBe('SQLITE_MISMATCH');
    const syntax = await client.execute('selec 1').catch((e: unknown) => e);
    expect((syntax as LibsqlError).code).toBe('SQLITE_ERROR');
    expect((await client.execute('select 2 as two')).rows[0]?.two).toBe(2n);
  });

  it('refuses a wrong token at hello', async () => {
    const wrong = createClient({ url: server.wsUrl, authToken: 'nope' });
    try {
      const error = await wrong.execute('select 1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LibsqlError);
      expect((error as LibsqlError).code).toBe('UNAUTHORIZED');
    } finally {
      wrong.close();
    }
  });

  it('negotiates hrana3 and serves stored SQL, cursors and get_autocommit', async () => {
    const answers = await rawSession('hrana3', [
      { type: 'request', request_id: 1, request: { type: 'open_stream', stream_id: 1 } },
      { type: 'request', request_id: 2, request: { type: 'store_sql', sql_id: 5, sql: 'select ? as v' } },
      {
        type: 'request',
        request_id: 3,
        request: { type: 'execute', stream_id: 1, stmt: { sql_id: 5, args: [{ type: 'text', value: 'x' }] } },
      },
      {
        type: 'request',
        request_id: 4,
        request: {
          type: 'open_cursor',
          stream_id: 1,
          cursor_id: 9,
          batch: { steps: [{ stmt: { sql: 'select 1 union all select 2' } }, { stmt: { sql: 'selec' } }] },
        },
      },
      { type: 'request', request_id: 5, request: { type: 'fetch_cursor', cursor_id: 9, max_count: 100 } },
      { type: 'request', request_id: 6, request: { type: 'get_autocommit', stream_id: 1 } },
      { type: 'request', request_id: 7, request: { type: 'close_stream', stream_id: 1 } },
    ]);
    expect(answers[0]).toEqual({ type: 'hello_ok' });
    const byId = new Map(answers.slice(1).map((a) => [a.request_id, a]));
    expect(byId.get(3).response.result.rows).toEqual([[{ type: 'text', value: 'x' }]]);
    expect(byId.get(5).response.done).toBe(true);
    expect(byId.get(5).response.entries.map((e: { type: string }) => e.type)).toEqual([
      'step_begin',
      'row',
      'row',
      'step_end',
      'step_error',
    ]);
    expect(byId.get(6).response).toEqual({ type: 'get_autocommit', is_autocommit: true });
    expect(byId.get(7).type).toBe('response_ok');
  });

  it('drops sockets when down and keeps silent when blackholed', async () => {
    server.setMode('down');
    const down = createClient({ url: server.wsUrl, authToken: TOKEN });
    try {
      await expect(down.execute('select 1')).rejects.toThrow();
    } finally {
      down.close();
      server.setMode('up');
    }
    server.setMode('blackhole');
    const silent = new WebSocket(server.wsUrl, ['hrana2']);
    const outcome = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('no answer'), 300);
      silent.on('open', () => resolve('opened'));
      silent.on('error', () => {
        clearTimeout(timer);
        resolve('error');
      });
    });
    expect(outcome).toBe('no answer');
    server.setMode('up');
    silent.terminate();
    expect((await client.execute('select 3 as three')).rows[0]?.three).toBe(3n);
  });
});
