import type { DatabaseIntrospector, Dialect, DialectAdapter, Driver, Kysely, QueryCompiler } from 'kysely';
import type { RouterBlueprint } from '../router-blueprint.js';
import { RoutingDriver } from './routing-driver.js';

/**
 * A Kysely dialect over a primary and its replicas: the compiler, adapter and introspector come from the
 * primary's dialect; the driver routes each statement.
 */
export class RoutingDialect implements Dialect {
  readonly #blueprint: RouterBlueprint;

  constructor(blueprint: RouterBlueprint) {
    this.#blueprint = blueprint;
  }

  createAdapter(): DialectAdapter {
    return this.#blueprint.primaryDialect.createAdapter();
  }

  createDriver(): Driver {
    return new RoutingDriver(this.#blueprint.context());
  }

  createQueryCompiler(): QueryCompiler {
    return this.#blueprint.queryCompiler();
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.#blueprint.primaryDialect.createIntrospector(db);
  }
}
