import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { LibsqlAdapter } from './libsql-adapter.js';
import type { LibsqlDialectConfig } from './libsql-dialect-config.js';
import { LibsqlDriver } from './libsql-driver.js';
import { validateLibsqlConfig } from './validate-libsql-config.js';

/**
 * Kysely dialect for libSQL (Turso, sqld) over `@libsql/client`. Works alone with `new Kysely({ dialect })`
 * and as the dialect of a `libsql()` backend. SQLite's compiler and introspector; the adapter is SQLite's
 * with a migration lock that holds across connections ({@link LibsqlAdapter}).
 *
 * Values: BLOB columns come back as `Uint8Array` (what `@libsql/client` returns; Kysely's better-sqlite3
 * dialect returns Node's `Buffer`, a subclass of `Uint8Array`, so code typed `Uint8Array` fits both;
 * edge runtimes have no `Buffer`). Integers follow `intMode`.
 *
 * ### Examples
 * ```ts
 * import { Kysely } from 'kysely'
 * import { LibsqlDialect } from 'edge-db/libsql'
 *
 * const db = new Kysely<Database>({
 *   dialect: new LibsqlDialect({ url: 'libsql://my-db-my-org.turso.io', authToken: env.TURSO_TOKEN }),
 * })
 * ```
 */
export class LibsqlDialect implements Dialect {
  readonly #config: LibsqlDialectConfig;
  readonly #nodeName: string | undefined;

  /** @param nodeName label used in error messages (defaults to the URL's host; never includes credentials). */
  constructor(config: LibsqlDialectConfig, nodeName?: string) {
    validateLibsqlConfig(config);
    this.#config = Object.freeze({ ...config });
    this.#nodeName = nodeName;
  }

  createDriver(): Driver {
    return new LibsqlDriver(this.#config, this.#nodeName);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new LibsqlAdapter();
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
