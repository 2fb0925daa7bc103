import type {
  CompiledQuery,
  DatabaseConnection,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import type { TransactionId } from '../../consistency/postgres-transaction-id.js';
import { hasNativeTransactions } from '../../drivers/driver-capabilities.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { attemptOf } from '../observe/emit-route.js';
import type { RouteReason } from '../observe/route-event.js';
import type { RoutedNode } from '../routed-node.js';
import type { RouterContext } from '../router-context.js';
import { isUnreachable } from './node-failure.js';
import { withDeadline } from './with-deadline.js';

/** Transaction statements a node's driver sent through Kysely's connection (see {@link TransactionBinding}). */
const controlStatements = new WeakSet<CompiledQuery>();

/** True for a begin/commit/rollback/savepoint statement of a bound transaction on its way to its node. */
export function isControlStatement(query: CompiledQuery): boolean {
  return controlStatements.has(query);
}

type SavepointOperation = 'savepoint' | 'rollbackToSavepoint' | 'releaseSavepoint';

/**
 * A transaction bound to one node (the primary, or a replica for an opted-in read-only transaction), and
 * what it did: whether it may write, the tables it wrote, whether it read.
 *
 * Begin, commit, rollback and savepoints are the node driver's own statements. Where the driver runs them as
 * SQL on its connection (Kysely's own drivers, Neon's), they travel through the connection Kysely handed out,
 * so Kysely's `log` and `onRoute` see them with their real SQL; drivers with native transactions (libSQL)
 * run them on the real connection, and `onRoute` still gets a begin/commit/rollback event.
 */
export class TransactionBinding {
  readonly node: RoutedNode;
  readonly writes: boolean;
  /** Tables written inside the transaction, invalidated in the cache when it commits. */
  tables: Set<string> | 'all' = new Set();
  /**
   * The transaction's id (PostgreSQL `xid8`), once one of its writes returned it: every write of a transaction
   * commits under that one id, so replicas can prove the whole transaction committed.
   */
  transactionId: TransactionId | undefined;
  readonly #ctx: RouterContext;
  readonly #connection: DatabaseConnection;
  readonly #kysely: DatabaseConnection;
  #reason: RouteReason = 'transaction';

  constructor(
    ctx: RouterContext,
    node: RoutedNode,
    connection: DatabaseConnection,
    kysely: DatabaseConnection,
    writes: boolean,
  ) {
    this.#ctx = ctx;
    this.node = node;
    this.#connection = connection;
    this.#kysely = kysely;
    this.writes = writes;
  }

  /** The real connection of the bound node. */
  get connection(): DatabaseConnection {
    return this.#connection;
  }

  async begin(settings: TransactionSettings, reason: RouteReason): Promise<void> {
    await this.#control('begin', reason, (connection) =>
      this.node.driver.beginTransaction(connection, settings),
    );
  }

  async commit(): Promise<void> {
    await this.#control('commit', 'transaction-control', (connection) =>
      this.node.driver.commitTransaction(connection),
    );
  }

  async rollback(): Promise<void> {
    await this.#control('rollback', 'transaction-control', (connection) =>
      this.node.driver.rollbackTransaction(connection),
    );
  }

  async savepoint(
    operation: SavepointOperation,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    const method = this.node.driver[operation];
    if (method === undefined) {
      throw new EdgeDbError(
        'UNSUPPORTED',
        `the dialect of node "${this.node.name}" does not support savepoints`,
      );
    }
    await this.#control(operation, 'transaction-control', (connection) =>
      method.call(this.node.driver, connection, name, compile),
    );
  }

  /** True when a failure of the bound node may have left its commit applied. */
  mayHaveCommitted(error: unknown): boolean {
    return this.writes && this.node.role === 'primary' && isUnreachable(error);
  }

  /** Runs one transaction statement of the driver: through Kysely's connection where the driver allows. */
  async #control(
    what: string,
    reason: RouteReason,
    run: (connection: DatabaseConnection) => Promise<void>,
  ): Promise<void> {
    this.#reason = reason;
    if (!hasNativeTransactions(this.node.driver)) {
      const kysely = this.#kysely;
      await run({
        executeQuery: <R>(query: CompiledQuery) => {
          controlStatements.add(query);
          return kysely.executeQuery<R>(query);
        },
        // Kysely's drivers never stream transaction statements; a driver that does gets the real connection's.
        ...(this.#connection.streamQuery === undefined
          ? {}
          : { streamQuery: this.#connection.streamQuery.bind(this.#connection) }),
      } as DatabaseConnection);
      return;
    }
    await this.#observed({ sql: what }, () => run(this.#connection));
  }

  /**
   * Runs a transaction statement that came back through Kysely's connection (see {@link isControlStatement})
   * on the bound node's real connection, and reports it.
   */
  runControl<R>(query: CompiledQuery, rest: unknown[], timeoutMs: number): Promise<QueryResult<R>> {
    return this.#observed(query, () =>
      withDeadline(
        this.#connection.executeQuery<R>(query, ...(rest as [])),
        timeoutMs,
        `node "${this.node.name}"`,
      ),
    );
  }

  async #observed<T>(query: { readonly sql: string }, run: () => Promise<T>): Promise<T> {
    const ctx = this.#ctx;
    if (!ctx.observed) return await run();
    const started = ctx.now();
    try {
      const value = await run();
      ctx.finish({
        query,
        node: this.node,
        reason: this.#reason,
        started,
        attempts: [attemptOf(this.node, 'ok', started, ctx.now())],
      });
      return value;
    } catch (error) {
      ctx.finish({
        query,
        node: this.node,
        reason: this.#reason,
        started,
        attempts: [attemptOf(this.node, 'error', started, ctx.now())],
        error,
      });
      throw error;
    }
  }
}
