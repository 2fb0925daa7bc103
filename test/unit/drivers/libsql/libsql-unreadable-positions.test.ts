import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, type Config, createClient } from '@libsql/client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { libsql } from '../../../../src/drivers/libsql/index.js';
import { edgeDb, resetClusterState } from '../../../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'edge-db-file-positions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => resetClusterState());

/** `createClient` from '@libsql/client' that records every SQL text its clients execute. */
function recordingClient(executed: string[]): (config: Config) => Client {
  return (config) => {
    const client = createClient(config);
    const execute = client.execute.bind(client) as (statement: unknown) => ReturnType<Client['execute']>;
    client.execute = ((statement: string | { sql: string }) => {
      executed.push(typeof statement === 'string' ? statement : statement.sql);
      return execute(statement);
    }) as Client['execute'];
    return client;
  };
}

describe('a libSQL file: backend can never report a position (14.8)', () => {
  it('says so on its adapter', () => {
    const backend = libsql({ url: `file:${join(dir, 'flag.db')}`, createClient });
    expect(backend.replication.reportsPositions).toBe(false);
    expect(libsql({ url: 'http://127.0.0.1:1' }).replication.reportsPositions).toBe(true);
  });

  it.each([0, 60_000])(
    'reads after a write run no position probe (stickyAfterWriteMs %i)',
    async (sticky) => {
      const executed: string[] = [];
      const db = edgeDb<{ t: { id: number } }>({
        primary: libsql({
          url: `file:${join(dir, `probe-${sticky}.db`)}`,
          createClient: recordingClient(executed),
        }),
        consistency: { stickyAfterWriteMs: sticky },
      });
      await db.schema.createTable('t').addColumn('id', 'integer').execute();
      await db.insertInto('t').values({ id: 1 }).execute();
      for (let i = 0; i < 3; i++) expect(await db.selectFrom('t').selectAll().execute()).toEqual([{ id: 1 }]);
      expect(executed.filter((text) => /^select 1$/i.test(text.trim()))).toEqual([]);
      expect(executed.filter((text) => text.startsWith('select')).length).toBe(3);
      await db.destroy();
    },
  );
});
