import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createClient, LibsqlError } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The server runs in a child process: the libsql binding aborts the whole process on invalid UTF-8 text,
// so only a separate process can show whether a statement kills the host.
const fixture = join(import.meta.dirname, 'fixtures', 'libsql-server-host.mts');

let host: ChildProcessByStdio<null, Readable, Readable>;
let url: string;
let hostStderr = '';

function firstLine(stream: Readable, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`no line within ${timeoutMs} ms: ${hostStderr}`)),
      timeoutMs,
    );
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const end = buffered.indexOf('\n');
      if (end === -1) return;
      clearTimeout(timer);
      resolve(buffered.slice(0, end));
    });
  });
}

async function pipeline(requests: unknown[]): Promise<any[]> {
  const response = await fetch(`${url}/v2/pipeline`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ baton: null, requests: [...requests, { type: 'close' }] }),
    signal: AbortSignal.timeout(10_000),
  });
  return ((await response.json()) as { results: any[] }).results;
}

function hostAlive(): boolean {
  return host.exitCode === null && host.signalCode === null;
}

// A fresh host per test, so a crash in one test does not fail the next one too.
beforeEach(async () => {
  hostStderr = '';
  host = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
  host.stderr.on('data', (chunk: Buffer) => {
    hostStderr += chunk.toString();
  });
  url = (JSON.parse(await firstLine(host.stdout, 30_000)) as { url: string }).url;
});

afterEach(async () => {
  if (host === undefined || !hostAlive()) return;
  const exited = new Promise((resolve) => host.once('exit', resolve));
  host.kill('SIGTERM');
  const timer = setTimeout(() => host.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
});

describe('the local libSQL server survives what sqld survives', () => {
  it('answers text that is not valid UTF-8 with a statement error and keeps serving', async () => {
    const client = createClient({ url });
    try {
      for (const sql of [
        "select cast(X'DEADBEEF' as text) as t",
        // SQLite encodes a lone surrogate as 3 bytes that are not UTF-8 either.
        'select char(55296) as t',
        // SQLite folds the cast into the program: the EXPLAIN rows would carry the bytes.
        "explain select cast(X'DEADBEEF' as text)",
      ]) {
        const error = await client.execute(sql).catch((e: unknown) => e);
        expect(error, hostStderr).toBeInstanceOf(LibsqlError);
        expect((error as LibsqlError).code).toBe('SQLITE_MISMATCH');
        expect((error as LibsqlError).message).toMatch(/not valid UTF-8/);
        expect(hostAlive()).toBe(true);
      }
      // Stored invalid text: reading it fails, reading its bytes works, valid rows still read fine.
      await client.execute('create table junk (id integer primary key, s text)');
      await client.execute("insert into junk (s) values ('fine'), (cast(X'FF00' as text))");
      const stored = await client.execute('select s from junk order by id').catch((e: unknown) => e);
      expect((stored as LibsqlError).code).toBe('SQLITE_MISMATCH');
      const bytes = await client.execute('select cast(s as blob) as b from junk where id = 2');
      expect([...new Uint8Array(bytes.rows[0]?.b as ArrayBuffer)]).toEqual([0xff, 0x00]);
      expect((await client.execute('select s from junk where id = 1')).rows[0]?.s).toBe('fine');
      // RETURNING lists are guarded too, and stay exact for valid values.
      const returning = await client
        .execute("insert into junk (s) values (cast(X'C0' as text)) returning id, s")
        .catch((e: unknown) => e);
      expect((returning as LibsqlError).code).toBe('SQLITE_MISMATCH');
      expect(hostAlive()).toBe(true);
      // The failed statement had no effect: the row it inserted was rolled back.
      expect((await client.execute('select count(*) as n from junk')).rows[0]?.n).toBe(2);
      const returned = await client.execute(
        "update junk set s = 'ok-' || id where id <> 2 returning *, length(s) as n, random() % 1000000000 as r",
      );
      expect(returned.rows.map((r) => [r.s, r.n])).toEqual([['ok-1', 4]]);
      expect(returned.columns).toEqual(['id', 's', 'n', 'r']);
      const many = await client.execute(
        "insert into junk (s) values ('m1'), ('m2'), ('m3') returning s, random() % 1000000000 as r",
      );
      expect(many.rows.map((r) => r.s)).toEqual(['m1', 'm2', 'm3']);
      // random() still runs once per row.
      expect(new Set(many.rows.map((r) => r.r)).size).toBe(3);
      const [described] = await pipeline([{ type: 'describe', sql: "select cast(X'FF' as text)" }]);
      expect(described.error.code).toBe('SQLITE_MISMATCH');
      // Unwanted rows are checked too (sqld reads them as well).
      const [unwanted] = await pipeline([
        { type: 'execute', stmt: { sql: 'select s from junk', want_rows: false } },
      ]);
      expect(unwanted.type).toBe('error');
      expect(unwanted.error.code).toBe('SQLITE_MISMATCH');
      expect((await client.execute('select 1 as one')).rows[0]?.one).toBe(1);
    } finally {
      client.close();
    }
    expect(hostAlive()).toBe(true);
  });

  it('finalizes statements: EXPLAIN or describe naming a table, then DROP TABLE on the same connection', async () => {
    // One pipeline runs on one stream, so on one engine connection.
    const explained = await pipeline([
      { type: 'execute', stmt: { sql: 'create table locked_a (x)' } },
      { type: 'execute', stmt: { sql: 'explain select * from locked_a' } },
      { type: 'execute', stmt: { sql: 'explain query plan select * from locked_a' } },
      { type: 'execute', stmt: { sql: 'drop table locked_a' } },
    ]);
    expect(explained.map((r) => r.error?.code ?? r.type)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    const described = await pipeline([
      { type: 'execute', stmt: { sql: 'create table locked_b (x)' } },
      { type: 'describe', sql: 'select * from locked_b' },
      { type: 'execute', stmt: { sql: 'drop table locked_b' } },
    ]);
    expect(described.map((r) => r.error?.code ?? r.type)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('reports last_insert_rowid only for INSERTs, as sqld', async () => {
    const results = await pipeline([
      { type: 'execute', stmt: { sql: 'create table rowids (id integer primary key, v text)' } },
      { type: 'execute', stmt: { sql: "insert into rowids (v) values ('a'), ('b')" } },
      { type: 'execute', stmt: { sql: "update rowids set v = 'c' where id = 1" } },
      { type: 'execute', stmt: { sql: 'select * from rowids' } },
      { type: 'execute', stmt: { sql: 'delete from rowids where id = 2' } },
      { type: 'execute', stmt: { sql: "with n(v) as (select 'd') insert into rowids (v) select v from n" } },
      { type: 'execute', stmt: { sql: "replace into rowids (id, v) values (7, 'e')" } },
    ]);
    const rowids = results.slice(0, 7).map((r) => r.response.result.last_insert_rowid);
    expect(rowids).toEqual([null, '2', null, null, null, '2', '7']);
    const affected = results.slice(0, 7).map((r) => r.response.result.affected_row_count);
    expect(affected).toEqual([0, 2, 1, 0, 1, 1, 1]);
  });
});
