import type { Kysely } from 'kysely';
import {
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';

/**
 * A dialect whose "database" is a constant answer in this process: no I/O, no engine. Measuring a query through
 * it leaves only Kysely's (and the router's) own CPU cost.
 */
export function inProcessDialect(rows: readonly Record<string, unknown>[]): Dialect {
  const result: QueryResult<unknown> = { rows: rows as unknown[] };
  const connection: DatabaseConnection = {
    executeQuery: async <R>() => result as QueryResult<R>,
    // biome-ignore lint/correctness/useYield: a constant backend has nothing to stream
    streamQuery: async function* () {
      throw new Error('the in-process bench dialect does not stream');
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
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => driver,
    createIntrospector: (db: Kysely<any>) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}
