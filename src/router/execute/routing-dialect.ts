import type { DatabaseIntrospector, Dialect, DialectAdapter, Driver, Kysely, QueryCompiler } from 'kysely';
import type { Backend } from '../../drivers/backend.js';
import type { RouterContext } from '../router-context.js';
import { RoutingDriver } from './routing-driver.js';

/**
 * A Kysely dialect over a primary and its replicas: the compiler, adapter and introspector come from the
 * primary's dialect; the driver routes each statement.
 */
export class RoutingDialect implements Dialect {
  readonly #primary: Backend;
  readonly #context: () => RouterContext;

  constructor(primary: Backend, context: () => RouterContext) {
    this.#primary = primary;
    this.#context = context;
  }

  createAdapter(): DialectAdapter {
    return this.#primary.dialect.createAdapter();
  }

  createDriver(): Driver {
    return new RoutingDriver(this.#context());
  }

  createQueryCompiler(): QueryCompiler {
    return this.#primary.dialect.createQueryCompiler();
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.#primary.dialect.createIntrospector(db);
  }
}
