import type { DatabaseConnection, Driver, QueryCompiler, TransactionSettings } from 'kysely';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { RoutedNode } from '../routed-node.js';
import type { RouterContext } from '../router-context.js';
import { restoreSession } from '../session/session-token.js';
import { RoutingConnection } from './routing-connection.js';

/**
 * The Kysely driver of an `edgeDb` instance. It hands Kysely virtual {@link RoutingConnection}s (no I/O until
 * a statement runs) and fans `init`/`destroy` out to every node's own driver.
 */
export class RoutingDriver implements Driver {
  readonly #context: RouterContext;
  /** Released routing connections, reused: they hold nothing once released (plain objects, no I/O). */
  readonly #free: RoutingConnection[] = [];

  constructor(context: RouterContext) {
    this.#context = context;
  }

  /** Runs before each instance's first statement: without a token, with no async frame of its own. */
  init(): Promise<void> {
    const restoring = restoreSession(this.#context);
    return restoring === undefined ? this.#initNodes() : restoring.then(() => this.#initNodes());
  }

  /**
   * Every node at once: while every node succeeds it costs one combined promise, and the failures are gathered
   * (never only the first) when one did not.
   */
  #initNodes(): Promise<void> {
    const nodes = this.#context.nodes;
    const running = nodes.map((node) => node.driver.init());
    return Promise.all(running).then(
      () => undefined,
      () => throwFailures('init', nodes, running),
    );
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#free.pop() ?? new RoutingConnection(this.#context);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await routing(connection).beginTransaction(settings, connection);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await routing(connection).commitTransaction();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await routing(connection).rollbackTransaction();
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await routing(connection).savepointOperation('savepoint', name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await routing(connection).savepointOperation('rollbackToSavepoint', name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await routing(connection).savepointOperation('releaseSavepoint', name, compile);
  }

  /** No async frame of its own: every statement outside a transaction ends here. */
  releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (!(connection instanceof RoutingConnection)) return Promise.reject(notOurs());
    return connection.release().then(() => {
      if (this.#free.length < MAX_FREE_CONNECTIONS) this.#free.push(connection);
    });
  }

  async destroy(): Promise<void> {
    const nodes = this.#context.nodes;
    const running = nodes.map((node) => node.driver.destroy());
    try {
      await Promise.all(running);
    } catch {
      await throwFailures('destroy', nodes, running);
    }
  }
}

/** How many released routing connections a driver keeps for reuse. */
const MAX_FREE_CONNECTIONS = 8;

function routing(connection: DatabaseConnection): RoutingConnection {
  if (!(connection instanceof RoutingConnection)) throw notOurs();
  return connection;
}

function notOurs(): EdgeDbError {
  return new EdgeDbError('UNSUPPORTED', 'edge-db received a connection it did not create');
}

/** Throws the failures of `operation` on every node that failed it (once all of them settled). */
async function throwFailures(
  operation: string,
  nodes: readonly RoutedNode[],
  running: readonly Promise<void>[],
): Promise<void> {
  const results = await Promise.allSettled(running);
  const failures = results.flatMap((result, index) =>
    result.status === 'rejected' ? [{ node: nodes[index]!.name, reason: result.reason as unknown }] : [],
  );
  if (failures.length > 0) {
    throw new EdgeDbError(
      'LIFECYCLE_FAILED',
      `${operation} failed on ${failures.map((f) => `"${f.node}"`).join(', ')}: ${failures
        .map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason)))
        .join('; ')}`,
      {
        cause: new AggregateError(
          failures.map((f) => f.reason),
          `${operation} failed`,
        ),
      },
    );
  }
}
