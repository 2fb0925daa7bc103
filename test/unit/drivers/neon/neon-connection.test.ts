import { CompiledQuery, type QueryResult } from 'kysely';
import { describe, expect, it } from 'vitest';
import { NeonConnection } from '../../../../src/drivers/neon/neon-connection.js';
import type { NeonHttpConnection } from '../../../../src/drivers/neon/neon-http-connection.js';
import { isEdgeDbError } from '../../../../src/errors/edge-db-error.js';

/** An HTTP transport that records statements; a WebSocket would need a proxy, so none is reachable here. */
function recordingHttp() {
  const statements: string[] = [];
  const http = {
    async execute<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      statements.push(query.sql);
      return { rows: [] };
    },
    async executeBatch(queries: readonly CompiledQuery[]): Promise<QueryResult<unknown>[]> {
      statements.push(queries.map((query) => query.sql).join('; '));
      return queries.map(() => ({ rows: [] }));
    },
  } as unknown as NeonHttpConnection;
  return { http, statements };
}

// Port 9 (discard) on loopback: nothing listens, so a WebSocket attempt fails fast instead of hanging.
const config = { url: 'postgresql://u@127.0.0.1:9/db', wsProxy: '127.0.0.1:9/v1', connectTimeoutMs: 1_000 };

describe('NeonConnection', () => {
  it('sends plain statements over HTTP and stays on HTTP', async () => {
    const { http, statements } = recordingHttp();
    const connection = new NeonConnection(config, http);
    await connection.executeQuery(CompiledQuery.raw('select 1'));
    await connection.executeQuery(CompiledQuery.raw('insert into t values (1)'));
    expect(statements).toEqual(['select 1', 'insert into t values (1)']);
    expect(connection.transport).toBe('http');
  });

  it('moves to its WebSocket for a session statement and never sends it over HTTP', async () => {
    const { http, statements } = recordingHttp();
    const connection = new NeonConnection(config, http);
    await expect(connection.executeQuery(CompiledQuery.raw('set search_path = app'))).rejects.toThrow();
    expect(connection.transport).toBe('websocket');
    await expect(connection.executeQuery(CompiledQuery.raw('select 1'))).rejects.toThrow();
    expect(statements).toEqual([]);
    await connection.release();
  });

  it('runs HTTP batches only while it has no session', async () => {
    const { http, statements } = recordingHttp();
    const connection = new NeonConnection(config, http);
    await connection.executeHttpBatch([CompiledQuery.raw('select 1'), CompiledQuery.raw('select 2')], {});
    expect(statements).toEqual(['select 1; select 2']);
  });

  it('refuses statements after release with DESTROYED', async () => {
    const { http } = recordingHttp();
    const connection = new NeonConnection(config, http);
    await connection.release();
    await expect(connection.executeQuery(CompiledQuery.raw('select 1'))).rejects.toSatisfy((error) =>
      isEdgeDbError(error, 'DESTROYED'),
    );
  });
});
