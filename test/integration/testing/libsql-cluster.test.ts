import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, createClient, LibsqlError } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LibsqlCluster, startLibsqlCluster } from '../../../src/testing/libsql/libsql-cluster.js';
import { hranaExecute } from './hrana-execute.js';

const TOKEN = 'cluster-token';
let baseDir: string;
let cluster: LibsqlCluster;
let primary: Client;

const execute = (url: string, stmt: Record<string, unknown>) => hranaExecute(url, TOKEN, stmt);

beforeAll(async () => {
  baseDir = mkdtempSync(join(tmpdir(), 'edge-db-libsql-cluster-'));
  const started = performance.now();
  cluster = await startLibsqlCluster({
    replicas: 2,
    authToken: TOKEN,
    pullIntervalMs: 25,
    replicationWaitMs: 400,
    baseDir,
  });
  console.log(`libSQL primary + 2 replicas started in ${Math.round(performance.now() - started)} ms`);
  primary = createClient({ url: cluster.primary.url, authToken: TOKEN, intMode: 'bigint' });
  await primary.execute('CREATE TABLE kv (id INTEGER PRIMARY KEY, v TEXT, n INTEGER)');
});

afterAll(async () => {
  primary?.close();
  await cluster?.stop();
  if (baseDir !== undefined) rmSync(baseDir, { recursive: true, force: true });
});

describe('local libSQL cluster', () => {
  it('replicas converge after many writes and refuse writes', async () => {
    for (let i = 0; i < 20; i += 1) {
      await primary.batch(
        Array.from({ length: 10 }, (_, j) => ({
          sql: 'INSERT INTO kv (v, n) VALUES (?, ?)',
          args: [`row-${i}-${j}-${'x'.repeat(200)}`, BigInt(i * 10 + j) * 2n ** 40n],
        })),
        'write',
      );
    }
    await primary.execute('UPDATE kv SET v = upper(v) WHERE id % 3 = 0');
    await primary.execute('DELETE FROM kv WHERE id % 7 = 0');
    const target = await cluster.primary.replicationIndex();
    const lagStart = performance.now();
    await Promise.all(cluster.replicas.map((replica) => replica.waitForIndex(target, 10_000)));
    console.log(
      `replicas reached index ${target} ${Math.round(performance.now() - lagStart)} ms after the last commit`,
    );
    const expected = (await primary.execute('SELECT * FROM kv ORDER BY id')).rows;
    for (const replica of cluster.replicas) {
      const client = createClient({ url: replica.url, authToken: TOKEN, intMode: 'bigint' });
      try {
        expect((await client.execute('PRAGMA integrity_check')).rows[0]).toMatchObject({
          integrity_check: 'ok',
        });
        expect((await client.execute('SELECT * FROM kv ORDER BY id')).rows).toEqual(expected);
        const refused = await client.execute("INSERT INTO kv (v) VALUES ('no')").catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(LibsqlError);
        expect((refused as LibsqlError).code).toBe('READONLY');
        expect((refused as LibsqlError).message).toMatch(/primary/);
      } finally {
        client.close();
      }
    }
  });

  it('reports replication_index and waits for it on replicas', async () => {
    const write = await execute(cluster.primary.url, { sql: "INSERT INTO kv (v) VALUES ('ryw')" });
    const index = write.response.result.replication_index as string;
    expect(BigInt(index)).toBe(await cluster.primary.replicationIndex());
    const read = await execute(cluster.replicas[0]!.url, {
      sql: "SELECT count(*) FROM kv WHERE v = 'ryw'",
      replication_index: index,
    });
    expect(read.response.result.rows).toEqual([[{ type: 'integer', value: '1' }]]);
    expect(BigInt(read.response.result.replication_index)).toBeGreaterThanOrEqual(BigInt(index));
  });

  it('a paused replica stays behind, times out index waits, then catches up', async () => {
    const replica = cluster.replicas[1]!;
    await replica.pause();
    try {
      await primary.execute("INSERT INTO kv (v) VALUES ('while-paused')");
      const target = await cluster.primary.replicationIndex();
      expect(await replica.replicationIndex()).toBeLessThan(target);
      const stale = await execute(replica.url, { sql: "SELECT count(*) FROM kv WHERE v = 'while-paused'" });
      expect(stale.response.result.rows).toEqual([[{ type: 'integer', value: '0' }]]);
      const timedOut = await execute(replica.url, {
        sql: "SELECT count(*) FROM kv WHERE v = 'while-paused'",
        replication_index: target.toString(),
      });
      expect(timedOut.type).toBe('error');
      expect(timedOut.error.code).toBe('REPLICATION_INDEX_TIMEOUT');
    } finally {
      await replica.resume();
    }
    await replica.waitForIndex(await cluster.primary.replicationIndex(), 10_000);
    const caughtUp = await execute(replica.url, { sql: "SELECT count(*) FROM kv WHERE v = 'while-paused'" });
    expect(caughtUp.response.result.rows).toEqual([[{ type: 'integer', value: '1' }]]);
  });

  it('a restarted replica keeps its URL and catches up from where it was', async () => {
    const replica = cluster.replicas[0]!;
    await replica.restart();
    await primary.execute("INSERT INTO kv (v) VALUES ('after-restart')");
    await replica.waitForIndex(await cluster.primary.replicationIndex(), 10_000);
    const client = createClient({ url: replica.url, authToken: TOKEN, intMode: 'bigint' });
    try {
      expect(
        (await client.execute("SELECT count(*) AS n FROM kv WHERE v = 'after-restart'")).rows[0]?.n,
      ).toBe(1n);
      expect((await client.execute('PRAGMA integrity_check')).rows[0]).toMatchObject({
        integrity_check: 'ok',
      });
    } finally {
      client.close();
    }
  });

  it('replica files are byte-for-byte copies of the primary once the cluster stops', async () => {
    await Promise.all(
      cluster.replicas.map(async (replica) =>
        replica.waitForIndex(await cluster.primary.replicationIndex(), 10_000),
      ),
    );
    primary.close();
    await cluster.stop();
    // Opening and closing each replica file checkpoints its WAL into the main file, as the stopped primary did.
    const Database = createRequire(import.meta.url)('libsql') as new (path: string) => { close(): void };
    const primaryBytes = readFileSync(join(baseDir, 'primary.db'));
    for (const name of ['replica-0.db', 'replica-1.db']) {
      new Database(join(baseDir, name)).close();
      expect(readFileSync(join(baseDir, name)).equals(primaryBytes)).toBe(true);
    }
  });
});
