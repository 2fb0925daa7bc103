import { type Client, createClient, LibsqlError } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LibsqlCluster, startLibsqlCluster } from '../../../src/testing/libsql/libsql-cluster.js';
import { hranaExecute } from './hrana-execute.js';

const TOKEN = 'modes-token';
let cluster: LibsqlCluster;
let primary: Client;
const clients: Client[] = [];

function connect(url: string): Client {
  const client = createClient({ url, authToken: TOKEN, intMode: 'bigint' });
  clients.push(client);
  return client;
}

const execute = (url: string, stmt: Record<string, unknown>) => hranaExecute(url, TOKEN, stmt);

beforeAll(async () => {
  cluster = await startLibsqlCluster({
    replicas: 3,
    replicaMode: ['readonly', 'forwarding', 'pulling'],
    pullIntervalMs: [25, 25, 200],
    replicationWaitMs: 400,
    authToken: TOKEN,
  });
  primary = connect(cluster.primary.url);
  await primary.execute('create table m (id integer primary key, v text)');
});

afterAll(async () => {
  for (const client of clients) client.close();
  await cluster?.stop();
});

describe('libSQL replica modes', () => {
  it('exposes what a router needs to know about each replica', async () => {
    const [readonly, forwarding, pulling] = cluster.replicas;
    expect([readonly?.mode, forwarding?.mode, pulling?.mode]).toEqual(['readonly', 'forwarding', 'pulling']);
    expect([readonly?.pullIntervalMs, forwarding?.pullIntervalMs, pulling?.pullIntervalMs]).toEqual([
      25, 25, 200,
    ]);
    expect(pulling?.replicationWaitMs).toBe(400);
    await pulling?.setPullInterval(250);
    expect(pulling?.pullIntervalMs).toBe(250);
    await pulling?.setPullInterval(200);
  });

  it('forwarding and pulling replicas forward writes (HTTP and WebSocket); readonly ones refuse them', async () => {
    const [readonly, ...writable] = cluster.replicas;
    for (const replica of writable) {
      for (const url of [replica.url, replica.wsUrl]) {
        const client = connect(url);
        const value = `${replica.name} via ${url.split(':')[0]}`;
        const written = await client.execute({
          sql: 'insert into m (v) values (?) returning id',
          args: [value],
        });
        expect(written.rowsAffected).toBe(1);
        expect(written.lastInsertRowid).toBe(written.rows[0]?.id);
        // The replica caught up before answering: its own next read sees the write.
        expect(
          (await client.execute({ sql: 'select count(*) as n from m where v = ?', args: [value] })).rows[0]
            ?.n,
        ).toBe(1n);
        expect(
          (await primary.execute({ sql: 'select count(*) as n from m where v = ?', args: [value] })).rows[0]
            ?.n,
        ).toBe(1n);
      }
    }
    const refused = await connect(readonly!.url)
      .execute("insert into m (v) values ('no')")
      .catch((e: unknown) => e);
    expect((refused as LibsqlError).code).toBe('READONLY');
  });

  it('runs interactive write transactions through a forwarding replica on the primary', async () => {
    const client = connect(cluster.replicas[1]!.url);
    const rolledBack = await client.transaction('write');
    await rolledBack.execute("insert into m (v) values ('tx-gone')");
    expect((await rolledBack.execute("select count(*) as n from m where v = 'tx-gone'")).rows[0]?.n).toBe(1n);
    // Uncommitted: the primary's other streams do not see it.
    expect((await primary.execute("select count(*) as n from m where v = 'tx-gone'")).rows[0]?.n).toBe(0n);
    await rolledBack.rollback();
    const committed = await client.transaction('write');
    await committed.execute("insert into m (v) values ('tx-kept')");
    await committed.commit();
    expect(
      (await primary.execute("select count(*) as n from m where v in ('tx-gone', 'tx-kept')")).rows[0]?.n,
    ).toBe(1n);
    // Read-only transactions stay on the replica.
    const read = await client.transaction('read');
    expect((await read.execute("select count(*) as n from m where v = 'tx-kept'")).rows[0]?.n).toBe(1n);
    await read.commit();
  });

  it('forwards batches and executeMultiple through a replica, over HTTP and WebSocket', async () => {
    for (const url of [cluster.replicas[1]!.url, cluster.replicas[1]!.wsUrl]) {
      const client = connect(url);
      const tag = `batch-${url.split(':')[0]}`;
      const results = await client.batch(
        [
          { sql: 'insert into m (v) values (?)', args: [tag] },
          { sql: 'select count(*) as n from m where v = ?', args: [tag] },
        ],
        'write',
      );
      expect(results[1]?.rows[0]?.n).toBe(1n);
      await client.executeMultiple(
        `insert into m (v) values ('${tag}-multi'); insert into m (v) values ('${tag}-multi');`,
      );
      // The same statement twice: the WebSocket client stores its SQL text, which forwarding inlines.
      for (let i = 0; i < 3; i += 1)
        await client.execute({ sql: 'insert into m (v) values (?)', args: [`${tag}-again`] });
      const counts = await primary.execute({
        sql: 'select v, count(*) as n from m where v like ? group by v order by v',
        args: [`${tag}%`],
      });
      expect(counts.rows.map((r) => [r.v, r.n])).toEqual([
        [tag, 1n],
        [`${tag}-again`, 3n],
        [`${tag}-multi`, 2n],
      ]);
    }
  });

  it('a forwarding replica fetches a required index at once; a pulling proxy only at its next pull', async () => {
    const [, forwarding, pulling] = cluster.replicas;
    await forwarding!.setPullInterval(60_000);
    await pulling!.setPullInterval(60_000);
    try {
      const write = await execute(cluster.primary.url, { sql: "insert into m (v) values ('needs-index')" });
      const index = write.response.result.replication_index as string;
      const sql = "select count(*) from m where v = 'needs-index'";
      const fresh = await execute(forwarding!.url, { sql, replication_index: index });
      expect(fresh.response.result.rows).toEqual([[{ type: 'integer', value: '1' }]]);
      const behind = await execute(pulling!.url, { sql, replication_index: index });
      expect(behind.type).toBe('error');
      expect(behind.error.code).toBe('REPLICATION_INDEX_TIMEOUT');
      await pulling!.setPullInterval(25);
      const caughtUp = await execute(pulling!.url, { sql, replication_index: index });
      expect(caughtUp.response.result.rows).toEqual([[{ type: 'integer', value: '1' }]]);
    } finally {
      await forwarding!.setPullInterval(25);
      await pulling!.setPullInterval(200);
    }
  });

  it('a paused forwarding replica still forwards writes, and stays behind until resumed', async () => {
    const replica = cluster.replicas[1]!;
    const client = connect(replica.url);
    await replica.pause();
    try {
      await client.execute("insert into m (v) values ('while-paused')");
      expect((await primary.execute("select count(*) as n from m where v = 'while-paused'")).rows[0]?.n).toBe(
        1n,
      );
      expect((await client.execute("select count(*) as n from m where v = 'while-paused'")).rows[0]?.n).toBe(
        0n,
      );
    } finally {
      await replica.resume();
    }
    await replica.waitForIndex(await cluster.primary.replicationIndex(), 10_000);
    expect((await client.execute("select count(*) as n from m where v = 'while-paused'")).rows[0]?.n).toBe(
      1n,
    );
  });

  it('a forwarded write fails with PROXY_ERROR when the primary is down, and works again after', async () => {
    const client = connect(cluster.replicas[1]!.url);
    cluster.primary.setMode('down');
    try {
      const error = await client.execute("insert into m (v) values ('while-down')").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LibsqlError);
      expect((error as LibsqlError).code).toBe('PROXY_ERROR');
      // Reads keep working on the replica.
      expect((await client.execute('select 1 as one')).rows[0]?.one).toBe(1n);
    } finally {
      cluster.primary.setMode('up');
    }
    await client.execute("insert into m (v) values ('after-down')");
    expect((await primary.execute("select count(*) as n from m where v = 'after-down'")).rows[0]?.n).toBe(1n);
  });
});
