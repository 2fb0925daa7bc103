import {
  type DatabaseConnection,
  type Dialect,
  type DialectAdapter,
  DummyDriver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
} from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { libsql } from '../../../src/drivers/libsql/index.js';
import { edgeDb, resetClusterState } from '../../../src/index.js';

afterEach(() => resetClusterState());

/** A dialect written as a plain object (no class of its own), with the adapter given. */
function plainDialect(adapter: () => DialectAdapter, sql: string[] = []): Dialect {
  class RecordingDriver extends DummyDriver {
    override async acquireConnection(): Promise<DatabaseConnection> {
      return {
        executeQuery: async (query) => {
          sql.push(query.sql);
          return { rows: [] };
        },
        async *streamQuery() {},
      };
    }
  }
  return {
    createAdapter: adapter,
    createDriver: () => new RecordingDriver(),
    createIntrospector: (db: Kysely<any>) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
}

describe('a PostgreSQL dialect without a replication adapter', () => {
  it('is recognised per object when dialects are plain objects, after a plain SQLite one', async () => {
    edgeDb({ primary: { dialect: plainDialect(() => new SqliteAdapter()) } });
    const sql: string[] = [];
    const db = edgeDb<any>({ primary: { dialect: plainDialect(() => new PostgresAdapter(), sql) } });
    await db.insertInto('t').values({ id: 1 }).execute();
    // PostgreSQL replication: the write learns its position (a transaction id or a WAL position).
    expect(sql.some((text) => /pg_current_xact_id|pg_current_wal_insert_lsn/.test(text))).toBe(true);
  });

  it('does not make a later plain SQLite dialect PostgreSQL', () => {
    const replica = libsql({ url: 'http://replica.example.com:8080' });
    edgeDb({ primary: { dialect: plainDialect(() => new PostgresAdapter()) } });
    expect(() =>
      edgeDb({ primary: { dialect: plainDialect(() => new SqliteAdapter()) }, replicas: [replica] }),
    ).not.toThrow();
  });

  it('accepts a dialect object without a prototype', () => {
    const dialect = Object.assign(
      Object.create(null) as object,
      plainDialect(() => new PostgresAdapter()),
    );
    expect(() => edgeDb({ primary: { dialect: dialect as Dialect } })).not.toThrow();
  });
});
