import { createRequire } from 'node:module';
import { optionalDependencyError } from '../import-optional-dependency.js';

/** The part of a prepared statement of the `libsql` npm package the server uses. */
export interface EngineStatement {
  readonly reader: boolean;
  raw(toggle?: boolean): this;
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  run(...params: unknown[]): unknown;
  columns(): { name: string; type: string | null; column: string | null }[];
}

/** The part of a `libsql` npm package `Database` (one SQLite connection) the server uses. */
export interface EngineDatabase {
  readonly inTransaction: boolean;
  prepare(sql: string): EngineStatement;
  exec(sql: string): void;
  close(): void;
  defaultSafeIntegers(toggle?: boolean): EngineDatabase;
  sync(): unknown;
}

/** Options of the `libsql` npm package's `Database` constructor that the server uses. */
export interface EngineOpenOptions {
  readonly syncUrl?: string;
  readonly authToken?: string;
  readonly offline?: boolean;
}

type EngineConstructor = new (path: string, options?: EngineOpenOptions) => EngineDatabase;

let engine: EngineConstructor | undefined;

/**
 * Loads the real libSQL engine (the `libsql` npm package, a dependency of `@libsql/client`) on first use,
 * so importing `edge-db/testing` for PostgreSQL clusters does not need it.
 */
export function loadEngine(): EngineConstructor {
  if (engine === undefined) {
    // The CommonJS build has `__filename` and an empty `import.meta`; ESM has the opposite.
    const require = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
    try {
      engine = require('libsql') as EngineConstructor;
    } catch (error) {
      throw optionalDependencyError(error, 'libsql', 'The libSQL test bed (startLibsqlCluster)');
    }
  }
  return engine;
}

/**
 * Opens one SQLite connection configured for the test server: safe integers, `busy_timeout = 0` (the
 * engine is synchronous, a blocking busy wait would deadlock the event loop against an open transaction;
 * the server retries asynchronously instead) and no automatic checkpoints, because replicas pull raw WAL
 * frames by number and a checkpoint would restart the WAL.
 */
export function openEngineConnection(
  path: string,
  options: { readonly queryOnly?: boolean } = {},
): EngineDatabase {
  const Database = loadEngine();
  const db = new Database(path);
  db.defaultSafeIntegers(true);
  db.exec('PRAGMA busy_timeout = 0');
  db.exec('PRAGMA wal_autocheckpoint = 0');
  if (options.queryOnly === true) db.exec('PRAGMA query_only = 1');
  return db;
}
