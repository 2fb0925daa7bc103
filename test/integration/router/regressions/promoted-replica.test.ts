import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backend,
  consistencyToken,
  edgeDb,
  type RouteEvent,
  resetClusterState,
  sessionInfo,
} from '../../../../src/index.js';
import {
  type NeonProxy,
  type PostgresCluster,
  startPostgresClusterWith,
} from '../../../../src/testing/index.js';
import { startNeonPostgresCluster } from '../../../support/neon-postgres-cluster.js';
import { neonBackends } from '../neon-backends.js';
import { pgBackends } from '../pg-backends.js';

// A node configured as a replica that is no longer in recovery (a standby promoted by a failover while the old
// primary still takes writes, or a misconfigured URL) proves nothing about the primary's writes: its WAL
// positions and transaction ids are its own timeline's. The plain adapter read its insert position in place
// of a replay position, and both adapters checked transaction ids against its own commit log, so a session's
// read was served there without its write.

interface DB {
  item: { id: number; note: string };
}

let cluster: PostgresCluster;
let proxy: NeonProxy;
let pgNodes: ReturnType<typeof pgBackends>;
/** A server that was never a standby of `cluster`, configured as its replica by mistake. */
let stranger: PostgresCluster;
let strangerNodes: ReturnType<typeof pgBackends>;

async function onNode(url: string, statements: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  ({ cluster, proxy } = await startNeonPostgresCluster({ replicas: 1 }));
  // The replica is the nearer node: a read with a token tries it first.
  cluster.primary.setLatency(10);
  cluster.replicas[0]!.setLatency(1);
  await onNode(cluster.primary.directUrl, [
    'create table item (id integer primary key, note text not null)',
    'create table noise (n integer)',
  ]);
  await cluster.replicas[0]!.waitForPosition(await cluster.primary.currentPosition());
  await onNode(cluster.replicas[0]!.directUrl, ['select pg_promote(true, 30)']);
  pgNodes = pgBackends(cluster);
  stranger = await startPostgresClusterWith({ replicas: 0 });
  await onNode(stranger.primary.directUrl, [
    'create table item (id integer primary key, note text not null)',
    'create table noise (n integer)',
  ]);
  strangerNodes = pgBackends(stranger);
});

afterAll(async () => {
  await strangerNodes?.end();
  await stranger?.stop();
  await pgNodes?.end();
  await proxy?.close();
  await cluster?.stop();
});

/**
 * After the session's write on the primary, the replica runs transactions of its own (its ids pass the
 * write's) and writes more WAL than the primary has (its insert position passes the write's).
 */
async function diverge(url: string): Promise<void> {
  const own = Array.from({ length: 120 }, (_, i) => `insert into noise values (${i})`);
  await onNode(url, [
    ...own,
    'insert into noise select generate_series(1, 100000)',
    // Each switch moves the insert position to the next 16 MB segment: well past the primary's.
    ...Array.from({ length: 4 }, () => ['insert into noise values (0)', 'select pg_switch_wal()']).flat(),
  ]);
}

async function readAfterWrite(
  name: string,
  backends: { primary: Backend; replicas: Backend[] },
  write: (db: Kysely<DB>) => Promise<unknown>,
  id: number,
  replicaUrl = cluster.replicas[0]!.directUrl,
): Promise<{ row: unknown; events: RouteEvent[] }> {
  resetClusterState();
  const writer = edgeDb<DB>({ ...backends, cluster: name });
  await write(writer);
  const token = await consistencyToken(writer);
  await writer.destroy();
  await diverge(replicaUrl);
  const events: RouteEvent[] = [];
  const reader = edgeDb<DB>({
    ...backends,
    cluster: name,
    consistency: { token },
    onRoute: (e) => events.push(e),
  });
  try {
    const row = await reader.selectFrom('item').select('note').where('id', '=', id).executeTakeFirst();
    return { row, events };
  } finally {
    await reader.destroy();
  }
}

describe('a replica that is not in recovery never serves a session that wrote', () => {
  it('node-postgres, a raw SQL write, the replica a server that was never a standby', async () => {
    const { row, events } = await readAfterWrite(
      'stranger-pg-position',
      { primary: pgNodes.primary, replicas: [{ ...strangerNodes.primary, name: 'replica-0' }] },
      (db) => sql`insert into item values (4, 'stranger')`.execute(db),
      4,
      stranger.primary.directUrl,
    );
    expect(row, JSON.stringify(events.at(-1))).toEqual({ note: 'stranger' });
    expect(events.at(-1)?.node).toBe('primary');
  });

  it('node-postgres, a raw SQL write known by its position', async () => {
    const { row, events } = await readAfterWrite(
      'promoted-pg-position',
      pgNodes,
      (db) => sql`insert into item values (1, 'by position')`.execute(db),
      1,
    );
    expect(row, JSON.stringify(events.at(-1))).toEqual({ note: 'by position' });
    expect(events.at(-1)?.node).toBe('primary');
  });

  it('node-postgres, a Kysely write known by its transaction id', async () => {
    const { row, events } = await readAfterWrite(
      'promoted-pg-xid',
      pgNodes,
      (db) => db.insertInto('item').values({ id: 2, note: 'by id' }).execute(),
      2,
    );
    expect(row, JSON.stringify(events.at(-1))).toEqual({ note: 'by id' });
    expect(events.at(-1)?.node).toBe('primary');
  });

  it('Neon over HTTP, a Kysely write known by its transaction id', async () => {
    const { row, events } = await readAfterWrite(
      'promoted-neon-xid',
      neonBackends(proxy, cluster),
      (db) => db.insertInto('item').values({ id: 3, note: 'neon by id' }).execute(),
      3,
    );
    expect(row, JSON.stringify(events.at(-1))).toEqual({ note: 'neon by id' });
    expect(events.at(-1)?.node).toBe('primary');
  });
});

// The mirror case: a node configured as the primary that is in recovery (an old primary demoted by a failover,
// now a lagging standby). Its replayed position is not the primary's: the session must not be rewound to it.
describe('a primary that is in recovery does not rewind a session', () => {
  let demoted: PostgresCluster;
  let demotedNodes: ReturnType<typeof pgBackends>;

  beforeAll(async () => {
    demoted = await startPostgresClusterWith({ replicas: 1 });
    await onNode(demoted.primary.directUrl, [
      'create table item (id integer primary key, note text not null)',
    ]);
    await demoted.replicas[0]!.waitForPosition(await demoted.primary.currentPosition());
    demotedNodes = pgBackends(demoted);
  });

  afterAll(async () => {
    await demotedNodes?.end();
    await demoted?.stop();
  });

  it('node-postgres: the token of a write the standby lacks survives a read there', async () => {
    resetClusterState();
    await demoted.replicas[0]!.pause();
    try {
      const writer = edgeDb<DB>({ primary: demotedNodes.primary, cluster: 'demoted' });
      await sql`insert into item values (1, 'after the fork')`.execute(writer);
      const token = await consistencyToken(writer);
      const required = (await sessionInfo(writer)).requiredPosition;
      await writer.destroy();
      expect(required).toBeDefined();

      // The standby, configured as the primary (the write's own node is gone for this instance).
      const reader = edgeDb<DB>({
        primary: { ...demotedNodes.replicas[0]!, name: 'primary' },
        cluster: 'demoted',
        consistency: { token },
      });
      try {
        await reader.selectFrom('item').select('note').execute();
        expect((await sessionInfo(reader)).requiredPosition).toBe(required);
      } finally {
        await reader.destroy();
      }
    } finally {
      await demoted.replicas[0]!.resume();
    }
  });
});
