import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
} from 'kysely';
import type { NeonDialectConfig } from './neon-dialect-config.js';
import { NeonDriver } from './neon-driver.js';
import { validateNeonDialectConfig } from './validate-neon-dialect-config.js';

/**
 * Kysely dialect for Neon (or any PostgreSQL behind Neon's proxy protocols) on edge runtimes and Node:
 * single statements over SQL over HTTP, transactions, savepoints, `db.connection()` sessions and
 * streaming over a WebSocket that lives as long as the Kysely connection. PostgreSQL compiler, adapter
 * and introspector come from Kysely. Values are parsed as node-postgres does (`int8` as string, `json`
 * parsed, `timestamptz` as `Date`, `bytea` as `Buffer`); errors are the driver's `NeonDbError` with every
 * PostgreSQL field (`code`, `constraint`, `detail`, ...).
 *
 * Usable alone or as the dialect of an edge-db backend ({@link neon}).
 *
 * ### Examples
 * ```ts
 * import { Kysely } from 'kysely'
 * import { NeonDialect } from 'edge-db/neon'
 *
 * const db = new Kysely<DB>({ dialect: new NeonDialect({ url: env.DATABASE_URL }) })
 * const people = await db.selectFrom('person').selectAll().execute() // one HTTP request
 * await db.transaction().execute(async (trx) => { ... })             // one WebSocket, closed after
 * ```
 */
export class NeonDialect implements Dialect {
  readonly #config: NeonDialectConfig;
  readonly #nodeName: string | undefined;

  /** @param nodeName label used in error messages (defaults to the URL's host; never includes credentials). */
  constructor(config: NeonDialectConfig, nodeName?: string) {
    validateNeonDialectConfig(config);
    this.#config = Object.freeze({ ...config });
    this.#nodeName = nodeName;
  }

  createDriver(): Driver {
    return new NeonDriver(this.#config, this.#nodeName);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
