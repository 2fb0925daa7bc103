import type {
  CompiledQuery,
  DatabaseConnection,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { signalOf } from '../../consistency/query-signal.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { analyzeQuery, type QueryAnalysis } from '../../sql/analyze-query.js';
import { primaryClass, type QueryClass, READ_CLASS } from '../../sql/query-class.js';
import { returnsTransactionIdsFor } from '../cluster/node-state.js';
import type { RouteReason } from '../observe/route-event.js';
import { routeHintOf } from '../plan/route-hint.js';
import type { RouterContext } from '../router-context.js';
import { acquireConnection } from './acquire-connection.js';
import type { ExecutionScope } from './execution-scope.js';
import { withCallerStack } from './extend-stack.js';
import { HeldConnections } from './held-connections.js';
import { isPromise } from './is-promise.js';
import { runOnNode } from './run-on-node.js';
import { runRead } from './run-read.js';
import { runStream } from './run-stream.js';
import { runWrite } from './run-write.js';
import { isControlStatement, TransactionBinding } from './transaction-binding.js';

/**
 * The connection Kysely holds. It is virtual: it picks a node per statement and hands it to an executor
 * (read, write, stream, or the node a transaction or pinned block is bound to); real connections are
 * acquired lazily, one per node, kept for the routing connection's life and released with it.
 *
 * Inside `db.connection()`, the first statement that needs the primary pins the block to the primary, so a
 * later statement never lands on a replica that lacks the block's writes or session settings.
 */
export class RoutingConnection implements DatabaseConnection, ExecutionScope {
  readonly ctx: RouterContext;
  readonly held = new HeldConnections();
  transaction: TransactionBinding | undefined;
  pinned = false;
  /** The transaction read something: its reads did not advance the session (see `#endTransaction`). */
  #transactionRead = false;

  constructor(context: RouterContext) {
    this.ctx = context;
  }

  /** The instance this connection belongs to (used by `consistencyToken(db)` and friends). */
  get context(): RouterContext {
    return this.ctx;
  }

  /**
   * Runs one statement. An answer ready at once (a cache hit) is handed back without an async frame; a failure
   * carries the application's frames that ran the query (see `withCallerStack`).
   */
  executeQuery<R>(query: CompiledQuery, ...rest: unknown[]): Promise<QueryResult<R>> {
    let answer: QueryResult<R> | Promise<QueryResult<R>>;
    try {
      answer = this.#execute<R>(query, rest);
    } catch (error) {
      return Promise.reject(withCallerStack(error));
    }
    return isPromise(answer) ? awaitWithCallerStack(answer) : Promise.resolve(answer);
  }

  #execute<R>(query: CompiledQuery, rest: unknown[]): QueryResult<R> | Promise<QueryResult<R>> {
    const ctx = this.ctx;
    const started = ctx.now();
    const transaction = this.transaction;
    if (transaction !== undefined) {
      if (isControlStatement(query)) return transaction.runControl<R>(query, rest, ctx.settings.timeoutMs);
      return this.#inTransaction<R>(transaction, query, rest, started);
    }
    const hint = routeHintOf(query.queryId);
    const analysis = analyzeQuery(query);
    const queryClass = this.#classOf(query, analysis);
    if (queryClass.requiresPrimary) {
      // A hint that would send it to a replica is an error (the plan says which).
      if (hint !== undefined) ctx.plan(queryClass, hint, started);
      const autocommit = !this.pinned;
      this.pinned = true;
      return runWrite<R>(this, { queryClass, analysis, query, rest, started, hint, autocommit });
    }
    if (this.pinned) {
      // Reads of a pinned block run on the primary without learning a position: the session's next read
      // must not go back to an older replica.
      ctx.session.noteServedBy(ctx.primary.name, 'primary', undefined);
      return runOnNode<R>(this, ctx.primary, 'pinned', query, rest, started, hint);
    }
    // A hint naming a node not in the cluster fails even when the cache answers (the plan says why); a read
    // preference cannot fail a read, so it is planned only if the read goes to the nodes.
    if (hint?.node !== undefined) ctx.plan(queryClass, hint, started);
    return runRead<R>(this, { queryClass, analysis, query, rest, started, hint });
  }

  async #inTransaction<R>(
    transaction: TransactionBinding,
    query: CompiledQuery,
    rest: unknown[],
    started: number,
  ): Promise<QueryResult<R>> {
    const analysis = analyzeQuery(query);
    const node = transaction.node;
    if (node.role === 'replica' && analysis.queryClass.requiresPrimary) {
      throw new EdgeDbError(
        'WRITE_ON_REPLICA',
        'a read-only transaction running on a replica tried to write; start it without `read only` access mode',
      );
    }
    this.#transactionRead = true;
    const adapter = node.adapter;
    // The transaction's first write that can carry it returns the transaction's id (one id for all its writes),
    // when autocommit writes to the same tables returned theirs on this node (PostgreSQL 13+, no rule refusing
    // RETURNING): the commit then needs no position read from the primary.
    const learnsId =
      transaction.writes &&
      transaction.transactionId === undefined &&
      analysis.queryClass.requiresPrimary &&
      node.role === 'primary' &&
      returnsTransactionIdsFor(node.state, analysis.writtenTables(query)) &&
      adapter?.executeWrite !== undefined;
    const result = await runOnNode<R>(
      this,
      node,
      'transaction',
      query,
      rest,
      started,
      routeHintOf(query.queryId),
      learnsId
        ? async (connection) => {
            const written = await adapter.executeWrite!<R>(connection, query, { signal: signalOf(rest[0]) });
            if (written.transaction !== undefined) transaction.transactionId = written.transaction;
            return written.result;
          }
        : undefined,
    );
    if (transaction.writes && analysis.queryClass.requiresPrimary) this.invalidate(query);
    return result;
  }

  /** The statement's class, raised to a write when a replica of this cluster refused its text as one. */
  #classify(query: CompiledQuery): QueryClass {
    return this.#classOf(query, analyzeQuery(query));
  }

  #classOf(query: CompiledQuery, analysis: QueryAnalysis): QueryClass {
    const queryClass = analysis.queryClass;
    if (!queryClass.requiresPrimary && this.ctx.cluster.isWritingStatement(query.sql)) {
      return primaryClass('write', 'a replica refused it as a write before');
    }
    return queryClass;
  }

  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize?: number,
    ...rest: unknown[]
  ): AsyncIterableIterator<QueryResult<R>> {
    const ctx = this.ctx;
    const started = ctx.now();
    const hint = routeHintOf(query.queryId);
    const queryClass = this.#classify(query);
    let node = ctx.primary;
    let reason: RouteReason;
    if (this.transaction !== undefined) {
      node = this.transaction.node;
      reason = 'transaction';
    } else if (this.pinned || queryClass.requiresPrimary) {
      reason = queryClass.requiresPrimary ? (queryClass.reason as RouteReason) : 'pinned';
      this.pinned = true;
    } else {
      // A stream cannot be re-run elsewhere once rows flowed, so only a node that needs no freshness check
      // serves it; otherwise the primary does.
      const first = ctx.plan(queryClass, hint, started).attempts.find((a) => a.check === 'none');
      node = first?.node ?? ctx.primary;
      reason = first?.reason ?? 'fallback';
    }
    yield* runStream<R>(this, { node, reason, queryClass, query, chunkSize, rest, started, hint });
  }

  /** Called by the routing driver for `db.transaction()`; `kysely` is the connection Kysely handed out. */
  async beginTransaction(settings: TransactionSettings, kysely: DatabaseConnection): Promise<void> {
    const ctx = this.ctx;
    let node = ctx.primary;
    let reason: RouteReason = 'transaction';
    if (settings.accessMode === 'read only' && ctx.settings.readOnlyTransactionsOnReplicas && !this.pinned) {
      const plan = ctx.plan(READ_CLASS, undefined, ctx.now());
      const replica = plan.attempts.find((a) => a.node.role === 'replica' && a.check === 'none');
      if (replica !== undefined) {
        node = replica.node;
        reason = replica.reason;
      }
    }
    const connection = await this.held.acquire(node, ctx.settings.attemptTimeoutMs);
    const binding = new TransactionBinding(
      ctx,
      node,
      connection,
      kysely,
      settings.accessMode !== 'read only',
    );
    // Bound first: the driver's `begin` comes back through Kysely's connection and must reach this node.
    this.transaction = binding;
    this.#transactionRead = false;
    try {
      await binding.begin(settings, reason);
    } catch (error) {
      this.transaction = undefined;
      throw error;
    }
  }

  async commitTransaction(): Promise<void> {
    const binding = this.#bound('commit');
    try {
      await binding.commit();
    } catch (error) {
      // The transaction stays bound so Kysely's rollback reaches it and the commit's own error surfaces. If the
      // node became unreachable, the commit may have applied: treat it as a write whose position is unknown.
      if (binding.mayHaveCommitted(error)) this.#settleWrites(binding);
      throw error;
    }
    this.#endTransaction(binding, true);
  }

  async rollbackTransaction(): Promise<void> {
    const binding = this.transaction;
    // Nothing bound (already rolled back, or never begun): nothing to undo.
    if (binding === undefined) return;
    try {
      await binding.rollback();
    } finally {
      this.#endTransaction(binding, false);
    }
  }

  /** Runs a savepoint operation of the bound transaction's driver. */
  async savepointOperation(
    operation: 'savepoint' | 'rollbackToSavepoint' | 'releaseSavepoint',
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#bound(operation).savepoint(operation, name, compile);
  }

  /**
   * The transaction ended. Its reads saw the node's state at some position the session did not learn, and a
   * committed write moved the primary on: either way, the session's next read learns a position first.
   */
  #endTransaction(binding: TransactionBinding, committed: boolean): void {
    this.transaction = undefined;
    if (committed && binding.writes && binding.node.role === 'primary') this.#settleWrites(binding);
    else if (this.#transactionRead)
      this.ctx.session.noteServedBy(binding.node.name, binding.node.role, undefined);
    this.#transactionRead = false;
  }

  /** Records the transaction's writes in the session and the cache once they may have committed. */
  #settleWrites(binding: TransactionBinding): void {
    // Known by its id when one of its writes returned it; otherwise the session learns a position first.
    this.ctx.session.noteWrite(undefined, this.ctx.now(), binding.transactionId);
    const tables = binding.tables;
    binding.tables = new Set();
    const cache = this.ctx.cacheInUse() ? this.ctx.cache() : undefined;
    if (cache === undefined) return;
    if (tables === 'all') cache.clear(this.ctx.cacheScope);
    else if (tables.size > 0) cache.invalidateTables([...tables], this.ctx.cacheScope);
  }

  invalidate(query: CompiledQuery, tables?: readonly string[] | 'unknown'): void {
    const ctx = this.ctx;
    if (!ctx.cacheInUse()) return;
    const written = tables ?? analyzeQuery(query).writtenTables(query) ?? 'unknown';
    const transaction = this.transaction;
    if (transaction !== undefined) {
      // Inside a transaction, invalidate at commit; remember what to drop.
      if (written === 'unknown' || transaction.tables === 'all') transaction.tables = 'all';
      else for (const table of written) transaction.tables.add(table);
      return;
    }
    const cache = ctx.cache();
    if (cache === undefined) return;
    if (written === 'unknown') cache.clear(ctx.cacheScope);
    else cache.invalidateTables(written, ctx.cacheScope);
  }

  detached(): RoutingConnection {
    return new RoutingConnection(this.ctx);
  }

  /**
   * Kysely 0.29 cancellation: cancels the statement running on each real connection this connection holds,
   * through that node's own driver (a control connection to the same node, never to another one).
   */
  async cancelQuery(_controlConnectionProvider?: unknown): Promise<void> {
    const timeoutMs = this.ctx.settings.attemptTimeoutMs;
    await Promise.allSettled(
      [...this.held.entries()].map(([node, connection]) =>
        (connection as CancellableConnection).cancelQuery?.call(connection, async (consumer) => {
          const control = await acquireConnection(node, timeoutMs, 'connecting to cancel on');
          try {
            await consumer(control);
          } finally {
            await node.driver.releaseConnection(control);
          }
        }),
      ),
    );
  }

  /** Releases every real connection this virtual connection acquired. */
  release(): Promise<void> {
    this.transaction = undefined;
    this.pinned = false;
    this.#transactionRead = false;
    return this.held.releaseAll();
  }

  #bound(operation: string): TransactionBinding {
    const binding = this.transaction;
    if (binding === undefined)
      throw new EdgeDbError('UNSUPPORTED', `${operation} called outside a transaction`);
    return binding;
  }
}

/** A real connection of a driver that supports Kysely 0.29's cancellation. */
interface CancellableConnection extends DatabaseConnection {
  cancelQuery?(
    provider: (consumer: (control: DatabaseConnection) => Promise<void>) => Promise<void>,
  ): Promise<void>;
}

/** Awaits a statement in an async frame of its own, so a failure's stack shows the frames that awaited it. */
async function awaitWithCallerStack<R>(answer: PromiseLike<QueryResult<R>>): Promise<QueryResult<R>> {
  try {
    return await answer;
  } catch (error) {
    throw withCallerStack(error);
  }
}
