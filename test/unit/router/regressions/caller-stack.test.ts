import {
  type DatabaseConnection,
  type Driver,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type Backend, edgeDb, resetClusterState } from '../../../../src/index.js';

// Issue 14.10: withDeadline and runWithFallbacks wrapped the driver's promise in `new Promise(...).then`, which
// ends V8's async stack: a failing query's error did not show the application's frames.

interface DB {
  t: { id: number; v: string };
}

afterEach(() => resetClusterState());

/** A node whose driver rejects from a timer callback, as socket-based drivers do (no caller frames at all). */
function timerRejectingNode(name: string, code: string): Backend {
  const connection: DatabaseConnection = {
    executeQuery<R>(): Promise<QueryResult<R>> {
      return new Promise((_, reject) => {
        setTimeout(() => reject(Object.assign(new Error(`${name} failed`), { code })), 1);
      });
    },
    // biome-ignore lint/correctness/useYield: never streams
    async *streamQuery() {
      throw new Error('not used');
    },
  };
  const driver: Driver = {
    init: async () => undefined,
    acquireConnection: async () => connection,
    beginTransaction: async () => undefined,
    commitTransaction: async () => undefined,
    rollbackTransaction: async () => undefined,
    releaseConnection: async () => undefined,
    destroy: async () => undefined,
  };
  return {
    name,
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createQueryCompiler: () => new PostgresQueryCompiler(),
      createIntrospector: (db) => new PostgresIntrospector(db),
    },
  };
}

async function applicationLoadsTheRows(db: ReturnType<typeof edgeDb<DB>>) {
  return await db.selectFrom('t').selectAll().execute();
}

async function applicationSavesARow(db: ReturnType<typeof edgeDb<DB>>) {
  await db.insertInto('t').values({ id: 1, v: 'x' }).execute();
}

describe('errors keep the caller stack (14.10)', () => {
  it('a failing read (through the fallbacks) and a failing write show the calling function', async () => {
    // a statement error (syntax, 42601) is not retried, so the read fails on the replica it went to
    const db = edgeDb<DB>({
      primary: timerRejectingNode('primary', '23505'),
      replicas: [timerRejectingNode('replica-0', '42601')],
    });
    const readError = (await applicationLoadsTheRows(db).catch((e: unknown) => e)) as Error;
    expect(readError.message).toBe('replica-0 failed');
    expect(readError.stack).toContain('applicationLoadsTheRows');
    const writeError = (await applicationSavesARow(db).catch((e: unknown) => e)) as Error;
    expect(writeError.message).toBe('primary failed');
    expect(writeError.stack).toContain('applicationSavesARow');
  });
});
