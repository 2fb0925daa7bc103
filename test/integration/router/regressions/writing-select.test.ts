import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolateCache } from '../../../../src/cache/index.js';
import { edgeDb, type RouteEvent, resetClusterState, sessionInfo } from '../../../../src/index.js';
import type { NeonProxy, PostgresCluster } from '../../../../src/testing/index.js';
import { startNeonPostgresCluster } from '../../../support/neon-postgres-cluster.js';
import { neonBackends } from '../neon-backends.js';
import { pgBackends } from '../pg-backends.js';

// Issue 14.1: a SELECT calling a user-defined function that writes fails on a standby with SQLSTATE 25006; it was
// retried on the primary as a read, so no write was noted and the result was cached: the next identical call was
// a cache hit and the function never ran.

interface DB {
  calls: { n: number };
}

let cluster: PostgresCluster;
let proxy: NeonProxy;

beforeAll(async () => {
  ({ cluster, proxy } = await startNeonPostgresCluster({ replicas: 1 }));
  const client = new pg.Client({ connectionString: cluster.primary.directUrl });
  await client.connect();
  try {
    await client.query('create table calls (n integer)');
    await client.query(`
      create function note_call() returns bigint language plpgsql as $$
      begin
        insert into calls values (1);
        return (select count(*) from calls);
      end $$`);
  } finally {
    await client.end();
  }
  await cluster.replicas[0]!.waitForPosition(await cluster.primary.currentPosition());
});

afterAll(async () => {
  await proxy?.close();
  await cluster?.stop();
});

async function countCalls(): Promise<number> {
  const client = new pg.Client({ connectionString: cluster.primary.directUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('select count(*) as n from calls');
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe('a SELECT whose function writes (14.1, real PostgreSQL standby)', () => {
  it('runs as a write on the primary, is noted by the session, never cached, and goes to the primary next', async () => {
    resetClusterState();
    const backends = pgBackends(cluster);
    const events: RouteEvent[] = [];
    // a new instance per request, as in an edge function; the cache and what was learnt live in the isolate
    const open = () =>
      edgeDb<DB>({
        primary: backends.primary,
        replicas: backends.replicas,
        cluster: 'writing-select',
        cache: isolateCache({ ttlMs: 60_000 }),
        onRoute: (e) => events.push(e),
      });
    const first = open();
    const second = open();
    try {
      const call = (db: ReturnType<typeof open>) => sql<{ n: string }>`select note_call() as n`.execute(db);

      expect(Number((await call(first)).rows[0]!.n)).toBe(1);
      // the standby refused it (25006), the primary ran it as a write
      const refused = events.find((e) => e.attempts.some((a) => a.node === 'replica-0'));
      expect(refused?.error).toMatchObject({ code: '25006' });
      expect(events.at(-1)).toMatchObject({ node: 'primary', role: 'primary', reason: 'write' });
      expect(events.at(-1)?.cache).toBeUndefined();
      expect((await sessionInfo(first)).positionPending).toBe(true);

      // the next request: not a cache hit, the function runs again, on the primary first
      const before = events.length;
      expect(Number((await call(second)).rows[0]!.n)).toBe(2);
      expect(await countCalls()).toBe(2);
      expect(events.slice(before)).toEqual([
        expect.objectContaining({
          node: 'primary',
          reason: 'write',
          attempts: [expect.objectContaining({ node: 'primary', outcome: 'ok' })],
        }),
      ]);
      expect((await sessionInfo(second)).positionPending).toBe(true);
    } finally {
      await first.destroy();
      await second.destroy();
      await backends.end();
    }
  });

  it('streamed (Neon driver, SQL cursor): runs on the primary as a write, and the next one goes there first', async () => {
    resetClusterState();
    const events: RouteEvent[] = [];
    const db = edgeDb<DB>({
      ...neonBackends(proxy, cluster),
      cluster: 'writing-select-stream',
      onRoute: (e) => events.push(e),
    });
    try {
      const stream = async () => {
        const rows: number[] = [];
        for await (const row of db.selectNoFrom((eb) => eb.fn<string>('note_call', []).as('n')).stream(10))
          rows.push(Number(row.n));
        return rows;
      };
      const before = await countCalls();
      expect(await stream()).toEqual([before + 1]);
      expect(events.find((e) => e.node === 'replica-0')?.error).toMatchObject({ code: '25006' });
      expect(events.at(-1)).toMatchObject({ node: 'primary', reason: 'write' });
      const seen = events.length;
      expect(await stream()).toEqual([before + 2]);
      expect(events.slice(seen)).toEqual([
        expect.objectContaining({
          node: 'primary',
          reason: 'write',
          attempts: [expect.objectContaining({ node: 'primary' })],
        }),
      ]);
      expect(await countCalls()).toBe(before + 2);
    } finally {
      await db.destroy();
    }
  });
});
