import type { Kysely } from 'kysely';
import { EdgeDbError } from '../errors/edge-db-error.js';
import { RoutingConnection } from './execute/routing-connection.js';
import type { RouterContext } from './router-context.js';

/**
 * The routing context behind a Kysely instance made by `edgeDb` (also through `withPlugin`, `transaction` and
 * `connection`). Asking costs no I/O: edge-db's connections are virtual until a statement runs.
 */
export async function routerContextOf(db: Kysely<any>): Promise<RouterContext> {
  return db.getExecutor().provideConnection(async (connection) => {
    if (connection instanceof RoutingConnection) return connection.context;
    throw new EdgeDbError(
      'CONFIG_INVALID',
      'this Kysely instance was not created by edgeDb() or edgeDbDialect()',
    );
  });
}
