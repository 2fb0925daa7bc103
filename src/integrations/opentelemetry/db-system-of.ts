import { MssqlAdapter, MysqlAdapter, PostgresAdapter, SqliteAdapter } from 'kysely';
import type { Backend } from '../../index.js';

/** Values of OpenTelemetry's `db.system` / `db.system.name` for the databases edge-db routes to. */
export type DbSystem = 'postgresql' | 'sqlite' | 'mysql' | 'microsoft.sql_server';

/**
 * The OpenTelemetry `db.system` of a backend: from its replication adapter (edge-db's drivers set one:
 * `libsql` is SQLite's dialect, `postgres` is PostgreSQL), else from its Kysely dialect's adapter.
 * `undefined` when neither tells.
 *
 * ### Examples
 * ```ts
 * const primary = libsql({ url: env.PRIMARY_URL })
 * dbSystemOf(primary) // 'sqlite'
 * ```
 */
export function dbSystemOf(backend: Backend): DbSystem | undefined {
  const family = backend.replication?.family;
  if (family === 'libsql') return 'sqlite';
  if (family === 'postgres') return 'postgresql';
  const adapter = backend.dialect.createAdapter();
  if (adapter instanceof PostgresAdapter) return 'postgresql';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  if (adapter instanceof MysqlAdapter) return 'mysql';
  if (adapter instanceof MssqlAdapter) return 'microsoft.sql_server';
  return undefined;
}
