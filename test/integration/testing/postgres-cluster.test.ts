import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEdgeDbError } from '../../../src/errors/edge-db-error.js';
import {
  type PostgresCluster,
  startPostgresCluster,
} from '../../../src/testing/postgres/postgres-cluster.js';
import { isRunning } from '../../../src/testing/postgres/postgres-server.js';

let cluster: PostgresCluster;

beforeAll(async () => {
  const started = performance.now();
  cluster = await startPostgresCluster({ replicas: 2 });
  console.log(
    `postgres cluster (primary + 2 replicas) started in ${Math.round(performance.now() - started)} ms`,
  );
  await query(cluster.primary.url, 'create table item (id int primary key, label text not null)');
});

afterAll(async () => {
  await cluster?.stop();
});

async function query<R extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
  connectTimeoutMs = 5_000,
): Promise<R[]> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    query_timeout: 10_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function labelOn(url: string, id: number): Promise<string | undefined> {
  const rows = await query<{ label: string }>(url, 'select label from item where id = $1', [id]);
  return rows[0]?.label;
}

async function insertAndGetPosition(id: number, label: string): Promise<bigint> {
  await query(cluster.primary.url, 'insert into item (id, label) values ($1, $2)', [id, label]);
  return cluster.primary.currentPosition();
}

describe('startPostgresCluster', () => {
  it('runs one primary and two hot standbys, each behind its own relay', async () => {
    expect(cluster.primary.role).toBe('primary');
    expect(cluster.replicas.map((replica) => replica.name)).toEqual(['replica-1', 'replica-2']);
    const nodes = [cluster.primary, ...cluster.replicas];
    expect(new Set(nodes.map((node) => node.port)).size).toBe(3);
    for (const node of nodes) {
      expect(node.port).not.toBe(node.directPort);
      const expected = node.role === 'replica';
      const [viaRelay] = await query<{ recovering: boolean }>(
        node.url,
        'select pg_is_in_recovery() as recovering',
      );
      const [direct] = await query<{ recovering: boolean }>(
        node.directUrl,
        'select pg_is_in_recovery() as recovering',
      );
      expect(viaRelay?.recovering).toBe(expected);
      expect(direct?.recovering).toBe(expected);
    }
    const streaming = await query<{ application_name: string }>(
      cluster.primary.directUrl,
      "select application_name from pg_stat_replication where state = 'streaming' order by 1",
    );
    expect(streaming.map((row) => row.application_name)).toEqual(['replica-1', 'replica-2']);
  });

  it('shows a committed row on every replica once waitForPosition resolves', async () => {
    const position = await insertAndGetPosition(1, 'first');
    for (const replica of cluster.replicas) {
      await replica.waitForPosition(position);
      expect(await replica.replayPosition()).toBeGreaterThanOrEqual(position);
      expect(await labelOn(replica.url, 1)).toBe('first');
    }
  });

  it('keeps new rows off a paused replica until it resumes', async () => {
    const [paused, live] = cluster.replicas as [
      PostgresCluster['replicas'][number],
      PostgresCluster['replicas'][number],
    ];
    await paused.pause();
    try {
      const position = await insertAndGetPosition(2, 'while paused');
      await live.waitForPosition(position);
      expect(await labelOn(live.url, 2)).toBe('while paused');

      const waited = await paused.waitForPosition(position, 300).then(
        () => 'caught up',
        (error: unknown) => error,
      );
      expect(isEdgeDbError(waited, 'REPLICA_BEHIND')).toBe(true);
      expect(String(waited)).toMatch(/paused: call resume\(\)/);
      expect(await paused.replayPosition()).toBeLessThan(position);
      expect(await labelOn(paused.url, 2)).toBeUndefined();
    } finally {
      await paused.resume();
    }
    await paused.waitForPosition(await cluster.primary.currentPosition());
    expect(await labelOn(paused.url, 2)).toBe('while paused');
  });

  it('holds commits back on a replica with an apply delay', async () => {
    const delayed = cluster.replicas[0]!;
    await expect(delayed.setApplyDelay(-1)).rejects.toSatisfy((error) =>
      isEdgeDbError(error, 'CONFIG_INVALID'),
    );
    await delayed.setApplyDelay(60_000);
    try {
      const [setting] = await query<{ delay: string }>(
        delayed.directUrl,
        'show recovery_min_apply_delay',
        [],
      );
      expect(Object.values(setting ?? {})).toEqual(['1min']);
      const position = await insertAndGetPosition(3, 'delayed');
      await cluster.replicas[1]!.waitForPosition(position);
      await expect(delayed.waitForPosition(position, 300)).rejects.toSatisfy((error) =>
        isEdgeDbError(error, 'REPLICA_BEHIND'),
      );
      expect(await labelOn(delayed.url, 3)).toBeUndefined();
    } finally {
      await delayed.setApplyDelay(0);
    }
    // Removing the delay releases the held commit without a restart.
    await delayed.waitForPosition(await cluster.primary.currentPosition());
    expect(await labelOn(delayed.url, 3)).toBe('delayed');

    // A short standing delay, measured only.
    await delayed.setApplyDelay(500);
    const position = await insertAndGetPosition(4, 'measured');
    const started = performance.now();
    await delayed.waitForPosition(position);
    console.log(
      `apply delay 500 ms: row visible on the replica after ${Math.round(performance.now() - started)} ms`,
    );
    await delayed.setApplyDelay(0);
    expect(await labelOn(delayed.url, 4)).toBe('measured');
  });

  it("makes a node unreachable through its relay in mode 'down' and hang in mode 'blackhole'", async () => {
    const replica = cluster.replicas[1]!;
    replica.setMode('down');
    try {
      await expect(query(replica.url, 'select 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      // The server itself is fine: only the path through the relay is cut.
      expect(await query(replica.directUrl, 'select 1 as one')).toEqual([{ one: 1 }]);

      replica.setMode('blackhole');
      await expect(query(replica.url, 'select 1', [], 300)).rejects.toThrow(/timeout/i);
    } finally {
      replica.setMode('up');
    }
    expect(await query(replica.url, 'select 1 as one')).toEqual([{ one: 1 }]);
  });

  it('adds latency per node (logged, not asserted)', async () => {
    cluster.primary.setLatency(20);
    const client = new pg.Client({ connectionString: cluster.primary.url, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      await client.query('select 1');
      const started = performance.now();
      await client.query('select 1');
      console.log(`select 1 through a 20 ms relay: ${Math.round(performance.now() - started)} ms`);
    } finally {
      await client.end();
      cluster.primary.setLatency(0);
    }
  });

  it('stop() ends every server process of the cluster, removes its folder and is idempotent', async () => {
    const nodes = [cluster.primary, ...cluster.replicas];
    const pids = nodes.map((node) =>
      Number(readFileSync(join(node.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]),
    );
    const rootDir = dirname(cluster.primary.dataDir);
    expect(await Promise.all(pids.map(isRunning))).toEqual([true, true, true]);

    const started = performance.now();
    await cluster.stop();
    console.log(`postgres cluster stopped in ${Math.round(performance.now() - started)} ms`);
    await cluster.stop();

    expect(await Promise.all(pids.map(isRunning))).toEqual([false, false, false]);
    const leftovers = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(rootDir));
    expect(leftovers).toEqual([]);
    expect(existsSync(rootDir)).toBe(false);
    await expect(query(cluster.primary.url, 'select 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
