import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { D1DatabaseLike } from './d1-binding.js';
import { D1Driver } from './d1-driver.js';
import type { D1SessionConstraint } from './d1-session-state.js';

/** Options of {@link D1Dialect}. */
export interface D1DialectConfig {
  /** The D1 binding (`env.DB`). */
  readonly binding: D1DatabaseLike;
  /**
   * Where each instance's session starts when `edgeDb` gives it no bookmark (used alone, always).
   * @default 'first-unconstrained'
   */
  readonly constraint?: D1SessionConstraint;
}

/**
 * Kysely dialect for Cloudflare D1 with the Sessions API: SQLite's compiler, adapter and introspector, and
 * one D1 session per Kysely instance. Works alone with `new Kysely({ dialect })` and as the dialect of a
 * `d1()` backend.
 *
 * ### Examples
 * ```ts
 * import { Kysely } from 'kysely'
 * import { D1Dialect } from 'edge-db/d1'
 *
 * const db = new Kysely<Database>({ dialect: new D1Dialect({ binding: env.DB }) })
 * ```
 */
export class D1Dialect implements Dialect {
  readonly #config: D1DialectConfig;
  readonly #nodeName: string | undefined;

  /** @param nodeName label used in error messages. */
  constructor(config: D1DialectConfig, nodeName?: string) {
    const binding = (config as Partial<D1DialectConfig> | undefined)?.binding;
    if (typeof (binding as { withSession?: unknown } | undefined)?.withSession !== 'function') {
      throw new EdgeDbError(
        'CONFIG_INVALID',
        'd1({ binding }) needs a D1 binding with the Sessions API (env.DB, compatibility date 2025-04-01 or later)',
      );
    }
    const constraint = config.constraint ?? 'first-unconstrained';
    if (constraint !== 'first-unconstrained' && constraint !== 'first-primary') {
      throw new EdgeDbError(
        'CONFIG_INVALID',
        `d1 constraint must be 'first-unconstrained' or 'first-primary', got ${JSON.stringify(constraint)}`,
      );
    }
    this.#config = Object.freeze({ binding: config.binding, constraint });
    this.#nodeName = nodeName;
  }

  createDriver(): Driver {
    return new D1Driver(
      this.#config.binding,
      this.#config.constraint ?? 'first-unconstrained',
      this.#nodeName,
    );
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
