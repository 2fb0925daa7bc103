import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LibsqlCluster, startLibsqlCluster } from '../../../src/testing/libsql/libsql-cluster.js';
import { FRAME_SIZE } from '../../../src/testing/libsql/wal-commit-tracker.js';

const CHECKPOINT_FRAMES = 40;
let baseDir: string;
let cluster: LibsqlCluster;
let primary: Client;

async function generation(): Promise<number> {
  const response = await fetch(`${cluster.primary.url}/edge-db/replication`, {
    signal: AbortSignal.timeout(5000),
  });
  return ((await response.json()) as { generation: number }).generation;
}

function walBytes(): number {
  try {
    return statSync(join(baseDir, 'primary.db-wal')).size;
  } catch {
    return 0;
  }
}

beforeAll(async () => {
  baseDir = mkdtempSync(join(tmpdir(), 'edge-db-libsql-checkpoint-'));
  cluster = await startLibsqlCluster({ replicas: 2, checkpointFrames: CHECKPOINT_FRAMES, baseDir });
  primary = createClient({ url: cluster.primary.url, intMode: 'bigint' });
  await primary.execute('create table c (id integer primary key, v text)');
});

afterAll(async () => {
  primary?.close();
  await cluster?.stop();
  if (baseDir !== undefined) rmSync(baseDir, { recursive: true, force: true });
});

describe('libSQL primary checkpoints with sync generations', () => {
  it('keeps the WAL bounded, indexes monotonic, and replicas (one lagging across generations) converge', async () => {
    const lagging = cluster.replicas[1]!;
    await lagging.pause();
    const indexes: bigint[] = [];
    let largestWal = 0;
    const startGeneration = await generation();
    for (let i = 0; i < 120; i += 1) {
      // Paused for about two generations: it finishes them from the primary's archived WALs.
      if (i === 30) await lagging.resume();
      // About two frames per commit (a 3 kB row and the table's b-tree pages).
      await primary.execute({ sql: 'insert into c (v) values (?)', args: [`${i}-${'x'.repeat(3000)}`] });
      if (i % 20 === 0) await primary.execute('update c set v = upper(v) where id % 5 = 0');
      indexes.push(await cluster.primary.replicationIndex());
      largestWal = Math.max(largestWal, walBytes());
    }
    const generations = (await generation()) - startGeneration;
    expect(largestWal).toBeGreaterThan(0);
    console.log(
      `120 commits: ${generations} new generations, index ${indexes.at(-1)}, largest WAL ${largestWal} bytes ` +
        `(${Math.round(largestWal / FRAME_SIZE)} frames)`,
    );
    expect(generations).toBeGreaterThanOrEqual(2);
    // A checkpoint runs after the request that crossed the threshold; one commit writes a few frames.
    expect(largestWal).toBeLessThanOrEqual(32 + (CHECKPOINT_FRAMES + 20) * FRAME_SIZE);
    for (let i = 1; i < indexes.length; i += 1) expect(indexes[i]!).toBeGreaterThan(indexes[i - 1]!);

    const target = indexes.at(-1)!;
    await Promise.all(cluster.replicas.map((replica) => replica.waitForIndex(target, 20_000)));
    const expected = (await primary.execute('select * from c order by id')).rows;
    for (const replica of cluster.replicas) {
      expect(await replica.replicationIndex()).toBe(target);
      const client = createClient({ url: replica.url, intMode: 'bigint' });
      try {
        expect((await client.execute('pragma integrity_check')).rows[0]).toMatchObject({
          integrity_check: 'ok',
        });
        expect((await client.execute('select * from c order by id')).rows).toEqual(expected);
      } finally {
        client.close();
      }
    }
  });

  it('a restarted replica catches up across generations it missed', async () => {
    const replica = cluster.replicas[0]!;
    await replica.pause();
    for (let i = 0; i < 50; i += 1) {
      await primary.execute({
        sql: 'insert into c (v) values (?)',
        args: [`restart-${i}-${'y'.repeat(3000)}`],
      });
    }
    await replica.restart();
    const target = await cluster.primary.replicationIndex();
    await replica.waitForIndex(target, 20_000);
    const client = createClient({ url: replica.url, intMode: 'bigint' });
    try {
      expect((await client.execute("select count(*) as n from c where v like 'restart-%'")).rows[0]?.n).toBe(
        50n,
      );
    } finally {
      client.close();
    }
  });

  it('checkpoints on demand, but not while a transaction is open', async () => {
    await primary.execute("insert into c (v) values ('before-demand')");
    const tx = await primary.transaction('write');
    await tx.execute("insert into c (v) values ('in-open-tx')");
    const before = await generation();
    expect(await cluster.primary.checkpoint()).toBe(false);
    expect(await generation()).toBe(before);
    await tx.commit();
    expect(await cluster.primary.checkpoint()).toBe(true);
    expect(await generation()).toBe(before + 1);
    expect(walBytes()).toBe(0);
    // Writes after the checkpoint still reach the replicas, with a larger index than before it.
    const write = await primary.execute("insert into c (v) values ('after-demand')");
    expect(write.rowsAffected).toBe(1);
    const target = await cluster.primary.replicationIndex();
    await cluster.replicas[1]!.waitForIndex(target, 20_000);
  });
});

describe('a replica further behind than the generations the primary keeps', () => {
  it('bootstraps again from the export and converges', async () => {
    const small = await startLibsqlCluster({ replicas: 1, checkpointFrames: 8, keepGenerations: 1 });
    const client = createClient({ url: small.primary.url, intMode: 'bigint' });
    try {
      await client.execute('create table g (id integer primary key, v text)');
      const replica = small.replicas[0]!;
      await replica.waitForIndex(await small.primary.replicationIndex(), 20_000);
      await replica.pause();
      for (let i = 0; i < 40; i += 1) {
        await client.execute({ sql: 'insert into g (v) values (?)', args: [`${i}-${'z'.repeat(3000)}`] });
      }
      const reached = await small.primary.replicationIndex();
      await replica.resume();
      await replica.waitForIndex(reached, 20_000);
      const read = createClient({ url: replica.url, intMode: 'bigint' });
      try {
        expect((await read.execute('select count(*) as n from g')).rows[0]?.n).toBe(40n);
        expect((await read.execute('pragma integrity_check')).rows[0]).toMatchObject({
          integrity_check: 'ok',
        });
      } finally {
        read.close();
      }
    } finally {
      client.close();
      await small.stop();
    }
  });
});
