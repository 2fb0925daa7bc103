import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseLsn } from '../../../src/consistency/postgres-lsn.js';
import {
  type PostgresCluster,
  startPostgresCluster,
} from '../../../src/testing/postgres/postgres-cluster.js';

let cluster: PostgresCluster;
let primary: pg.Client;
let replica: pg.Client;

beforeAll(async () => {
  cluster = await startPostgresCluster({ replicas: 1, synchronousCommit: false });
  primary = new pg.Client({
    connectionString: cluster.primary.url,
    connectionTimeoutMillis: 5_000,
    query_timeout: 10_000,
  });
  replica = new pg.Client({
    connectionString: cluster.replicas[0]!.url,
    connectionTimeoutMillis: 5_000,
    query_timeout: 10_000,
  });
  await Promise.all([primary.connect(), replica.connect()]);
  await primary.query('create table note (id int primary key)');
});

afterAll(async () => {
  await Promise.allSettled([primary?.end(), replica?.end()]);
  await cluster?.stop();
});

it('runs the primary with synchronous_commit = off', async () => {
  expect((await primary.query('show synchronous_commit')).rows).toEqual([{ synchronous_commit: 'off' }]);
});

// Under asynchronous commit the write position can trail the commit record; currentPosition() must not.
it('gives positions that cover the last commit under asynchronous commit', async () => {
  for (let id = 1; id <= 10; id += 1) {
    await primary.query('insert into note (id) values ($1)', [id]);
    await cluster.replicas[0]!.waitForPosition(await cluster.primary.currentPosition());
    const { rows } = await replica.query('select id from note where id = $1', [id]);
    expect(rows).toEqual([{ id }]);
  }
});

async function insertPosition(): Promise<bigint> {
  return parseLsn(
    (await primary.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn')).rows[0]!.lsn,
  );
}

// How many WAL bytes `run` adds: retried until two runs within one page agree (a table's first insert
// also initialises its page, so it is bigger than the next ones).
async function walBytes(block: bigint, run: () => Promise<unknown>): Promise<bigint> {
  let previous: bigint | undefined;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const before = await insertPosition();
    await run();
    const after = await insertPosition();
    if (before / block !== after / block) continue;
    if (after - before === previous) return previous;
    previous = after - before;
  }
  throw new Error('the WAL size of a statement did not settle');
}

// A commit record that ends exactly at a WAL page boundary: the insert position then points past the next
// page's header, which an idle standby never reaches. currentPosition() must still be reachable.
it('gives a reachable position when the last commit ends exactly at a WAL page boundary', async () => {
  const block = BigInt(
    (await primary.query<{ b: string }>("select current_setting('wal_block_size') as b")).rows[0]!.b,
  );
  let nextId = 1_000;
  const insert = () => primary.query('insert into note (id) values ($1)', [nextId++]);
  const emit = (bytes: bigint) =>
    primary.query("select pg_logical_emit_message(false, 'pad', repeat('x', $1))", [Number(bytes)]);
  const transactionBytes = await walBytes(block, insert);
  const messageOverhead = (await walBytes(block, () => emit(1_000n))) - 1_000n;

  let boundaryHit = false;
  for (let attempt = 0; attempt < 10 && !boundaryHit; attempt += 1) {
    const remainingOnPage = block - ((await insertPosition()) % block);
    const padding = remainingOnPage - transactionBytes - messageOverhead;
    if (padding < 300n) {
      await emit(remainingOnPage + 300n); // move to a fresh page and try again
      continue;
    }
    await emit(padding);
    const id = nextId;
    await insert();
    const raw = await insertPosition();
    boundaryHit = raw % block === 24n;
    if (!boundaryHit) continue;
    const position = await cluster.primary.currentPosition();
    expect(position).toBe(raw - 24n);
    await cluster.replicas[0]!.waitForPosition(position, 10_000);
    expect((await replica.query('select id from note where id = $1', [id])).rows).toEqual([{ id }]);
  }
  expect(boundaryHit).toBe(true);
});
