import { CompiledQuery, type DatabaseConnection, Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libsql } from '../../../src/drivers/libsql/libsql-backend.js';
import { isEdgeDbError } from '../../../src/errors/edge-db-error.js';
import { type LibsqlCluster, startLibsqlCluster } from '../../../src/testing/libsql/libsql-cluster.js';
import { describeLibsqlKysely } from './libsql-kysely-suite.js';

// One local cluster (a primary in this process, one replica process) for the whole file: the driver's
// behaviour over HTTP through Kysely on the primary, then replication indexes across primary and replica.

interface Database {
  note: { id: number; body: string };
}

type LibsqlBackend = ReturnType<typeof libsql>;

let cluster: LibsqlCluster;
let primary: LibsqlBackend;
let replica: LibsqlBackend;

beforeAll(async () => {
  // A replica waits this long for a required index; long enough for a 25 ms pull on a busy machine.
  cluster = await startLibsqlCluster({ replicas: 1, replicationWaitMs: 2_000 });
  primary = libsql({ url: cluster.primary.url, name: 'primary' });
  const replicaNode = cluster.replicas[0];
  if (!replicaNode) throw new Error('the cluster started without a replica');
  replica = libsql({ url: replicaNode.url, name: 'replica-0' });
  const db = new Kysely<Database>({ dialect: primary.dialect });
  await sql`create table note (id integer primary key, body text not null)`.execute(db);
  await db.destroy();
});

afterAll(async () => {
  await cluster?.stop();
});

function replicaNode() {
  const node = cluster.replicas[0];
  if (!node) throw new Error('no replica');
  return node;
}

async function onConnection<T>(
  backend: LibsqlBackend,
  fn: (connection: DatabaseConnection) => Promise<T>,
): Promise<T> {
  const driver = backend.dialect.createDriver();
  const connection = await driver.acquireConnection();
  try {
    return await fn(connection);
  } finally {
    await driver.releaseConnection(connection);
  }
}

const write = (id: number) =>
  onConnection(primary, (connection) =>
    primary.replication.executeWithPosition(
      connection,
      CompiledQuery.raw('insert into note (id, body) values (?, ?)', [id, `note ${id}`]),
      { role: 'primary' },
    ),
  );

const readOnReplica = (id: number, minPosition?: bigint) =>
  onConnection(replica, (connection) =>
    replica.replication.executeWithPosition<{ body: string }>(
      connection,
      CompiledQuery.raw('select body from note where id = ?', [id]),
      { role: 'replica', minPosition },
    ),
  );

describeLibsqlKysely('libsql driver over HTTP (cluster primary)', {
  // The local server runs the embedded engine, which accepts but does not enforce READONLY transactions.
  enforcesReadOnlyTransactions: false,
  primary: () => ({ url: cluster.primary.url }),
});

describe('libsql driver against a primary and a replica', () => {
  it('observes the primary position of a write in the same round trip, and reads it back', async () => {
    const before = await onConnection(primary, (connection) =>
      primary.replication.readPosition(connection, 'primary'),
    );
    const { result, position } = await write(1);
    expect(result.numAffectedRows).toBe(1n);
    expect(position).toBe(await cluster.primary.replicationIndex());
    expect(position).toBeGreaterThan(before as bigint);
    const after = await onConnection(primary, (connection) =>
      primary.replication.readPosition(connection, 'primary'),
    );
    expect(after).toBe(position);
  });

  it('reads the replica position with readPosition', async () => {
    const target = await cluster.primary.replicationIndex();
    await replicaNode().waitForIndex(target);
    const position = await onConnection(replica, (connection) =>
      replica.replication.readPosition(connection, 'replica'),
    );
    expect(position).toBe(await replicaNode().replicationIndex());
    expect(position).toBeGreaterThanOrEqual(target);
  });

  it('serves a read that requires the write position only once the replica has it', async () => {
    await replicaNode().pause();
    try {
      const { position } = await write(2);
      if (position === undefined) throw new Error('the primary reported no position');

      // Without the index the paused replica answers at once, without the row: that is the stale read.
      const stale = await readOnReplica(2);
      expect(stale.result.rows).toEqual([]);
      expect(stale.position).toBeLessThan(position);

      // With it, the replica holds the read until it has applied the write: while paused, later reads come
      // back and this one does not; after resume it does, with the row.
      let settled = false;
      const fresh = readOnReplica(2, position).finally(() => {
        settled = true;
      });
      for (let i = 0; i < 3; i++) await readOnReplica(2);
      expect(settled).toBe(false);
      await replicaNode().resume();
      const { result, position: seen } = await fresh;
      expect(result.rows).toEqual([{ body: 'note 2' }]);
      expect(seen).toBeGreaterThanOrEqual(position);
    } finally {
      await replicaNode().resume();
    }
  });

  it('fails with REPLICA_BEHIND when the replica cannot reach the required index in time', async () => {
    await replicaNode().pause();
    try {
      const { position } = await write(3);
      const error = await readOnReplica(3, position).catch((e: unknown) => e);
      expect(isEdgeDbError(error, 'REPLICA_BEHIND')).toBe(true);
      expect((error as Error & { cause: { code?: string } }).cause.code).toBe('REPLICATION_INDEX_TIMEOUT');
    } finally {
      await replicaNode().resume();
    }
  });

  it('maps a write refused by the replica to READ_ONLY_NODE', async () => {
    const db = new Kysely<Database>({ dialect: replica.dialect });
    try {
      const error = await db
        .insertInto('note')
        .values({ id: 99, body: 'nope' })
        .execute()
        .catch((e: unknown) => e);
      expect(isEdgeDbError(error, 'READ_ONLY_NODE')).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it('works as a plain Kysely dialect on the replica', async () => {
    await replicaNode().waitForIndex(await cluster.primary.replicationIndex());
    const db = new Kysely<Database>({ dialect: replica.dialect });
    try {
      const rows = await db.selectFrom('note').select(['id', 'body']).orderBy('id').execute();
      expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
    } finally {
      await db.destroy();
    }
  });
});
