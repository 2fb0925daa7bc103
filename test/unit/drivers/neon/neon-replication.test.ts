import { CompiledQuery, type DatabaseConnection, type QueryResult } from 'kysely';
import { describe, expect, it } from 'vitest';
import { NeonConnection } from '../../../../src/drivers/neon/neon-connection.js';
import type {
  NeonHttpBatchOptions,
  NeonHttpConnection,
} from '../../../../src/drivers/neon/neon-http-connection.js';
import { NeonReplicationAdapter } from '../../../../src/drivers/neon/neon-replication.js';
import { isEdgeDbError } from '../../../../src/errors/edge-db-error.js';

/** A connection that answers position queries with `lsn` and records every statement. */
function recordingConnection(lsn: string | null) {
  const statements: string[] = [];
  const connection: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      statements.push(query.sql);
      if (query.sql.includes('_lsn()')) return { rows: [{ lsn } as R] };
      return { rows: [{ id: 1 } as R] };
    },
    streamQuery() {
      throw new Error('not used');
    },
  };
  return { connection, statements };
}

/** A NeonConnection over a scripted HTTP transport that records batches and answers positions with `lsn`. */
function recordingHttpConnection(lsn: string) {
  const batches: { statements: string[]; options: NeonHttpBatchOptions }[] = [];
  const answer = (query: CompiledQuery): QueryResult<unknown> =>
    query.sql.includes('_lsn()') ? { rows: [{ lsn }] } : { rows: [{ id: 1 }] };
  const http = {
    async execute(query: CompiledQuery) {
      return answer(query);
    },
    async executeBatch(queries: readonly CompiledQuery[], options: NeonHttpBatchOptions) {
      batches.push({ statements: queries.map((query) => query.sql), options });
      return queries.map(answer);
    },
  } as unknown as NeonHttpConnection;
  const connection = new NeonConnection({ url: 'postgresql://u@127.0.0.1:9/db' }, http);
  return { connection, batches };
}

const read = CompiledQuery.raw('select * from "person"');

describe('NeonReplicationAdapter', () => {
  const adapter = new NeonReplicationAdapter();

  it('reads the insert position on a primary and the replay position on a replica', async () => {
    const { connection, statements } = recordingConnection('16/B374D848');
    expect(await adapter.readPosition(connection, 'primary')).toBe(0x16_b374_d848n);
    expect(await adapter.readPosition(connection, 'replica')).toBe(0x16_b374_d848n);
    expect(statements[0]).toContain('pg_current_wal_insert_lsn()');
    expect(statements[1]).toContain('pg_last_wal_replay_lsn()');
  });

  it('treats a NULL replay position (node not in recovery) as unknown', async () => {
    const { connection } = recordingConnection(null);
    expect(await adapter.readPosition(connection, 'replica')).toBeUndefined();
  });

  it('checks a replica before reading (the floor) and reads its position again after (the ceiling)', async () => {
    const { connection, statements } = recordingConnection('0/3000148');
    const { result, position, floor } = await adapter.executeWithPosition(connection, read, {
      role: 'replica',
      minPosition: 0x300_0000n,
    });
    expect(statements).toEqual([
      'select pg_last_wal_replay_lsn()::text as lsn',
      read.sql,
      'select pg_last_wal_replay_lsn()::text as lsn',
    ]);
    expect(result.rows).toEqual([{ id: 1 }]);
    expect(floor).toBe(0x300_0148n);
    expect(position).toBe(0x300_0148n);
  });

  it('rejects with REPLICA_BEHIND and never reads when the replica is behind', async () => {
    const { connection, statements } = recordingConnection('0/3000148');
    const attempt = adapter.executeWithPosition(connection, read, {
      role: 'replica',
      minPosition: 0x300_0149n,
    });
    await expect(attempt).rejects.toSatisfy((error) => isEdgeDbError(error, 'REPLICA_BEHIND'));
    expect(statements).not.toContain(read.sql);
  });

  it('rejects with REPLICA_BEHIND when a position is required and the node reports none', async () => {
    const { connection } = recordingConnection(null);
    const attempt = adapter.executeWithPosition(connection, read, { role: 'replica', minPosition: 1n });
    await expect(attempt).rejects.toSatisfy((error) => isEdgeDbError(error, 'REPLICA_BEHIND'));
  });

  it('returns no position for a primary query (a position inside the write would precede its commit)', async () => {
    const { connection, statements } = recordingConnection('0/1');
    const { position } = await adapter.executeWithPosition(connection, read, { role: 'primary' });
    expect(position).toBeUndefined();
    expect(statements).toEqual([read.sql]);
  });

  it('reads a primary position after the read over HTTP, claims no floor and does not force read-only', async () => {
    const { connection, batches } = recordingHttpConnection('0/3000148');
    const outcome = await adapter.executeWithPosition(connection, read, { role: 'primary' });
    expect(batches).toEqual([
      {
        statements: [
          read.sql,
          'select case when pg_is_in_recovery() then null else pg_current_wal_insert_lsn()::text end as lsn',
        ],
        options: { isolationLevel: 'ReadCommitted', readOnly: false },
      },
    ]);
    expect(outcome.result.rows).toEqual([{ id: 1 }]);
    expect(outcome.position).toBe(0x300_0148n);
    expect(outcome.floor).toBeUndefined();
  });

  it('keeps the replica batch over HTTP as [check, read, check], read-only and READ COMMITTED', async () => {
    const { connection, batches } = recordingHttpConnection('0/3000148');
    const outcome = await adapter.executeWithPosition(connection, read, {
      role: 'replica',
      minPosition: 0x300_0000n,
    });
    expect(batches).toEqual([
      {
        statements: [
          'select pg_last_wal_replay_lsn()::text as lsn',
          read.sql,
          'select pg_last_wal_replay_lsn()::text as lsn',
        ],
        options: { isolationLevel: 'ReadCommitted', readOnly: true },
      },
    ]);
    expect(outcome.floor).toBe(0x300_0148n);
    expect(outcome.position).toBe(0x300_0148n);
  });
});
