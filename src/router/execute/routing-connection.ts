import type {
  CompiledQuery,
  DatabaseConnection,
  QueryResult,
  RootOperationNode,
  TransactionSettings,
} from 'kysely';
import type { ReplicationPosition } from '../../consistency/replication-position.js';
import { EdgeDbError, isEdgeDbError } from '../../errors/edge-db-error.js';
import { analyzeQuery } from '../../sql/analyze-query.js';
import type { QueryClass } from '../../sql/query-class.js';
import { READ_CLASS } from '../../sql/query-class.js';
import { observeNodePosition } from '../cluster/cluster-state.js';
import type { RouteAttempt, RouteReason } from '../observe/route-event.js';
import { type RouteHint, routeHintOf } from '../plan/route-hint.js';
import { type PlannedAttempt, planRoute, type RoutePlan } from '../plan/route-plan.js';
import type { RoutedNode } from '../routed-node.js';
import type { RouterContext } from '../router-context.js';
import { cachedRead } from './cached-read.js';
import { isNodeFailure, isUnreachable } from './node-failure.js';
import { type HeldConnections, noteBehind, readOnce } from './read-once.js';
import { runWithFallbacks } from './run-with-fallbacks.js';
import { withDeadline } from './with-deadline.js';

/**
 * The connection Kysely holds. It is virtual: it picks a node per statement and acquires that node's real
 * connection lazily, keeps it for the rest of its own life (so `db.connection()` blocks and transactions stay
 * on one real connection per node), and releases every real connection when Kysely releases it.
 *
 * Inside `db.connection()`, the first statement that needs the primary pins the block to the primary, so a
 * later statement never lands on a replica that lacks the block's writes or session settings.
 */
export class RoutingConnection implements DatabaseConnection {
  readonly #ctx: RouterContext;
  readonly #held = new Map<RoutedNode, DatabaseConnection>();
  #transaction: { node: RoutedNode; writes: boolean } | undefined;
  #pinned = false;

  constructor(context: RouterContext) {
    this.#ctx = context;
  }

  /** The instance this connection belongs to (used by `consistencyToken(db)` and friends). */
  get context(): RouterContext {
    return this.#ctx;
  }

  async executeQuery<R>(query: CompiledQuery, ...rest: unknown[]): Promise<QueryResult<R>> {
    const started = this.#ctx.now();
    const hint = routeHintOf(query.queryId);
    const ctx = this.#ctx;
    if (this.#transaction !== undefined) {
      const node = this.#transaction.node;
      const analysis = analyzeQuery(query);
      if (node.role === 'replica' && analysis.queryClass.requiresPrimary) {
        throw new EdgeDbError(
          'WRITE_ON_REPLICA',
          'a read-only transaction running on a replica tried to write; start it without `read only` access mode',
        );
      }
      const result = await this.#runOn<R>(node, 'transaction', query, rest, started, hint);
      if (this.#transaction.writes && analysis.queryClass.requiresPrimary) this.#invalidate(query);
      return result;
    }
    const queryClass = analyzeQuery(query).queryClass;
    if (this.#pinned) {
      if (queryClass.requiresPrimary) return this.#runWrite(queryClass, query, rest, started, hint, false);
      return this.#runOn(ctx.primary, 'pinned', query, rest, started, hint);
    }
    const plan = this.#plan(queryClass, hint, started);
    if (queryClass.requiresPrimary) {
      this.#pinned = true;
      return this.#runWrite(queryClass, query, rest, started, hint, true);
    }
    return this.#runRead(plan, query, rest, started, hint);
  }

  /** Tables written inside the current transaction, invalidated in the cache at commit. */
  #transactionTables: Set<string> | 'all' = new Set();

  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize?: number,
    ...rest: unknown[]
  ): AsyncIterableIterator<QueryResult<R>> {
    const started = this.#ctx.now();
    const hint = routeHintOf(query.queryId);
    let node: RoutedNode;
    let reason: RouteReason;
    const queryClass = analyzeQuery(query).queryClass;
    if (this.#transaction !== undefined) {
      node = this.#transaction.node;
      reason = 'transaction';
    } else {
      if (this.#pinned || queryClass.requiresPrimary) {
        this.#pinned = true;
        node = this.#ctx.primary;
        reason = this.#pinned && !queryClass.requiresPrimary ? 'pinned' : (queryClass.reason as RouteReason);
      } else {
        // A stream cannot be re-run elsewhere once rows flowed, so only a node that needs no freshness check
        // serves it; otherwise the primary does.
        const first = this.#plan(queryClass, hint, started).attempts.find((a) => a.check === 'none');
        node = first?.node ?? this.#ctx.primary;
        reason = first?.reason ?? 'fallback';
      }
    }
    const connection = await this.#acquire(node);
    if (connection.streamQuery === undefined) {
      throw new EdgeDbError('UNSUPPORTED', `the dialect of node "${node.name}" does not support streaming`);
    }
    let error: unknown;
    try {
      yield* (
        connection.streamQuery as (
          q: CompiledQuery,
          c?: number,
          ...r: unknown[]
        ) => AsyncIterableIterator<QueryResult<R>>
      )(query, chunkSize, ...rest);
    } catch (caught) {
      error = caught;
      throw caught;
    } finally {
      const ctx = this.#ctx;
      if (queryClass.requiresPrimary && queryClass.reason !== 'lock') {
        // A streamed statement that writes (a data-modifying CTE) is a write like any other.
        if (this.#transaction === undefined) ctx.session.noteWrite(undefined, ctx.now());
        this.#invalidate(query);
      } else if (
        this.#transaction === undefined &&
        (hint?.consistency ?? ctx.settings.consistency) === 'session'
      ) {
        // Streamed rows come without a position: keep later reads on this node (or the primary).
        ctx.session.noteServedBy(node.name, node.role, undefined);
      }
      const durationMs = ctx.now() - started;
      const attempt: RouteAttempt = {
        node: node.name,
        role: node.role,
        outcome: error === undefined ? 'ok' : 'error',
        durationMs,
      };
      this.#ctx.emit({
        sql: query.sql,
        node: node.name,
        role: node.role,
        reason,
        durationMs,
        attempts: [attempt],
        ...(error === undefined ? {} : { error }),
      });
    }
  }

  /** Called by the routing driver for `db.transaction()`. */
  async beginTransaction(settings: TransactionSettings): Promise<void> {
    const started = this.#ctx.now();
    let node = this.#ctx.primary;
    let reason: RouteReason = 'transaction';
    if (
      settings.accessMode === 'read only' &&
      this.#ctx.settings.readOnlyTransactionsOnReplicas &&
      !this.#pinned
    ) {
      const plan = this.#plan(READ_CLASS, undefined, started);
      const replica = plan.attempts.find((a) => a.node.role === 'replica' && a.check === 'none');
      if (replica !== undefined) {
        node = replica.node;
        reason = replica.reason;
      }
    }
    const connection = await this.#acquire(node);
    await node.driver.beginTransaction(connection, settings);
    this.#transaction = { node, writes: settings.accessMode !== 'read only' };
    const durationMs = this.#ctx.now() - started;
    this.#ctx.emit({
      sql: 'begin',
      node: node.name,
      role: node.role,
      reason,
      durationMs,
      attempts: [{ node: node.name, role: node.role, outcome: 'ok', durationMs }],
    });
  }

  async commitTransaction(): Promise<void> {
    const { node, connection, writes } = this.#bound('commit');
    try {
      await node.driver.commitTransaction(connection);
    } catch (error) {
      // The transaction stays bound so Kysely's rollback reaches it and the commit's own error surfaces. If the
      // node became unreachable, the commit may have applied: treat it as a write whose position is unknown.
      if (writes && node.role === 'primary' && isUnreachable(error)) this.#settleTransactionWrites();
      throw error;
    }
    this.#transaction = undefined;
    // The commit's position is learnt lazily by the next read that needs it (no extra round trip here).
    if (writes && node.role === 'primary') this.#settleTransactionWrites();
    else this.#transactionTables = new Set();
  }

  /** Records the transaction's writes in the session and the cache once they may have committed. */
  #settleTransactionWrites(): void {
    this.#ctx.session.noteWrite(undefined, this.#ctx.now());
    const tables = this.#transactionTables;
    this.#transactionTables = new Set();
    if (!this.#ctx.cacheInUse()) return;
    if (tables === 'all') this.#ctx.cache().clear();
    else if (tables.size > 0) this.#ctx.cache().invalidateTables([...tables]);
  }

  async rollbackTransaction(): Promise<void> {
    const transaction = this.#transaction;
    const connection = transaction === undefined ? undefined : this.#held.get(transaction.node);
    // Nothing bound (already rolled back, or never begun): nothing to undo.
    if (transaction === undefined || connection === undefined) return;
    try {
      await transaction.node.driver.rollbackTransaction(connection);
    } finally {
      this.#transaction = undefined;
      this.#transactionTables = new Set();
    }
  }

  /** Runs a savepoint operation of the bound transaction's driver. */
  async savepointOperation(
    operation: 'savepoint' | 'rollbackToSavepoint' | 'releaseSavepoint',
    name: string,
    compile: Parameters<NonNullable<RoutedNode['driver']['savepoint']>>[2],
  ): Promise<void> {
    const { node, connection } = this.#bound(operation);
    const method = node.driver[operation];
    if (method === undefined) {
      throw new EdgeDbError('UNSUPPORTED', `the dialect of node "${node.name}" does not support savepoints`);
    }
    await method.call(node.driver, connection, name, compile);
  }

  /**
   * Kysely 0.29 cancellation: cancels the statement running on each real connection this connection holds,
   * through that node's own driver (a control connection to the same node, never to another one).
   */
  async cancelQuery(_controlConnectionProvider?: unknown): Promise<void> {
    await Promise.allSettled(
      [...this.#held].map(([node, connection]) => {
        const cancel = (connection as CancellableConnection).cancelQuery;
        return cancel?.call(
          connection,
          async (consumer: (control: DatabaseConnection) => Promise<unknown>) => {
            const control = await withDeadline(
              node.driver.acquireConnection(),
              this.#ctx.settings.attemptTimeoutMs,
              `connecting to "${node.name}" to cancel`,
              (late) => {
                if (late.status === 'fulfilled')
                  void node.driver.releaseConnection(late.value).catch(() => undefined);
              },
            );
            try {
              return await consumer(control);
            } finally {
              await node.driver.releaseConnection(control);
            }
          },
        );
      }),
    );
  }

  /** Releases every real connection this virtual connection acquired. */
  async release(): Promise<void> {
    const held = [...this.#held];
    this.#held.clear();
    this.#transaction = undefined;
    this.#pinned = false;
    const results = await Promise.allSettled(
      held.map(([node, connection]) => node.driver.releaseConnection(connection)),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      throw new EdgeDbError('LIFECYCLE_FAILED', 'releasing a connection failed', {
        cause: new AggregateError(failed.map((f) => f.reason)),
      });
    }
  }

  #bound(operation: string): { node: RoutedNode; connection: DatabaseConnection; writes: boolean } {
    const transaction = this.#transaction;
    const connection = transaction === undefined ? undefined : this.#held.get(transaction.node);
    if (transaction === undefined || connection === undefined) {
      throw new EdgeDbError('UNSUPPORTED', `${operation} called outside a transaction`);
    }
    return { node: transaction.node, connection, writes: transaction.writes };
  }

  #plan(queryClass: QueryClass, hint: RouteHint | undefined, now: number): RoutePlan {
    const ctx = this.#ctx;
    return planRoute({
      queryClass,
      hint,
      primary: ctx.primary,
      rankedReplicas: queryClass.requiresPrimary ? [] : ctx.rankReplicas(hint),
      readPreference: hint?.readPreference ?? ctx.settings.readPreference,
      consistency: hint?.consistency ?? ctx.settings.consistency,
      session: ctx.session,
      now,
      stickyAfterWriteMs: ctx.settings.stickyAfterWriteMs,
      maxReplicaAttempts: ctx.settings.maxReplicaAttempts,
      nodesByName: ctx.nodesByName,
    });
  }

  async #acquire(
    node: RoutedNode,
    timeoutMs = this.#ctx.settings.attemptTimeoutMs,
  ): Promise<DatabaseConnection> {
    const held = this.#held.get(node);
    if (held !== undefined) return held;
    const connection = await withDeadline(
      node.driver.acquireConnection(),
      timeoutMs,
      `connecting to "${node.name}"`,
      (late) => {
        if (late.status === 'fulfilled')
          void node.driver.releaseConnection(late.value).catch(() => undefined);
      },
    );
    this.#held.set(node, connection);
    return connection;
  }

  /** The held-connection operations the per-node read uses. */
  readonly #heldConnections: HeldConnections = {
    acquire: (node, timeoutMs) => this.#acquire(node, timeoutMs),
    detach: (node, connection, running) => {
      if (this.#held.get(node) !== connection) return;
      this.#held.delete(node);
      void (running ?? Promise.resolve())
        .catch(() => undefined)
        .finally(() => node.driver.releaseConnection(connection).catch(() => undefined));
    },
  };

  /** Drops a node's real connection after it failed, so a later statement gets a fresh one. */
  #discard(node: RoutedNode): void {
    const connection = this.#held.get(node);
    if (connection === undefined) return;
    this.#held.delete(node);
    void node.driver.releaseConnection(connection).catch(() => undefined);
  }

  async #runOn<R>(
    node: RoutedNode,
    reason: RouteReason,
    query: CompiledQuery,
    rest: unknown[],
    started: number,
    hint: RouteHint | undefined,
  ): Promise<QueryResult<R>> {
    const ctx = this.#ctx;
    const attemptStart = ctx.now();
    try {
      const connection = await this.#acquire(node);
      const result = await withDeadline(
        connection.executeQuery<R>(query, ...(rest as [])),
        hint?.timeoutMs ?? ctx.settings.timeoutMs,
        `node "${node.name}"`,
      );
      this.#finish(query, node, reason, started, [this.#attempt(node, 'ok', attemptStart)]);
      return result;
    } catch (error) {
      this.#finish(query, node, reason, started, [this.#attempt(node, 'error', attemptStart)], error);
      throw error;
    }
  }

  async #runWrite<R>(
    queryClass: QueryClass,
    query: CompiledQuery,
    rest: unknown[],
    started: number,
    hint: RouteHint | undefined,
    autocommit: boolean,
  ): Promise<QueryResult<R>> {
    const ctx = this.#ctx;
    const node = ctx.primary;
    const reason = queryClass.reason as RouteReason;
    const writes = queryClass.reason !== 'lock';
    const finishAttempt = ctx.beginAttempt(node);
    const attemptStart = ctx.now();
    let position: ReplicationPosition | undefined;
    let reached = false;
    try {
      const connection = await this.#acquire(node);
      reached = true;
      const adapter = node.adapter;
      let result: QueryResult<R>;
      const deadline = hint?.timeoutMs ?? ctx.settings.timeoutMs;
      // Only an autocommit statement's own round trip can tell its post-commit position.
      if (writes && autocommit && adapter?.executeWithPosition !== undefined) {
        const positioned = await withDeadline(
          adapter.executeWithPosition<R>(connection, query, { role: 'primary' }),
          deadline,
          `primary "${node.name}"`,
        );
        result = positioned.result;
        position = positioned.position;
      } else {
        result = await withDeadline(
          connection.executeQuery<R>(query, ...(rest as [])),
          deadline,
          `primary "${node.name}"`,
        );
      }
      if (writes) {
        ctx.session.noteWrite(position, ctx.now());
        this.#invalidate(query);
      }
      observeNodePosition(node.state, position, ctx.now());
      const attempt = this.#attempt(node, 'ok', attemptStart);
      finishAttempt(attempt);
      this.#finish(query, node, reason, started, [attempt], undefined, queryClass.detail);
      return result;
    } catch (error) {
      const failure = isUnreachable(error);
      const attempt = this.#attempt(
        node,
        isEdgeDbError(error, 'TIMEOUT') ? 'timeout' : 'error',
        attemptStart,
      );
      finishAttempt(attempt);
      if (failure) {
        this.#discard(node);
        // Once the statement reached the primary it may have committed before the failure: later reads must
        // not trust replicas blindly, nor cached rows. A failed connect never ran it.
        if (writes && reached) {
          ctx.session.noteWrite(undefined, ctx.now());
          this.#invalidate(query);
        }
      }
      const surfaced = failure
        ? new EdgeDbError(
            'PRIMARY_UNAVAILABLE',
            `the primary "${node.name}" failed while running a ${queryClass.reason} statement; it was not retried ` +
              'because it may not be idempotent and may or may not have been applied. Retry when the primary is back.',
            { cause: error },
          )
        : error;
      this.#finish(query, node, reason, started, [attempt], surfaced, queryClass.detail);
      throw surfaced;
    }
  }

  /** Drops cached reads of the tables a write touched (everything when they cannot be known). */
  #invalidate(query: CompiledQuery): void {
    const ctx = this.#ctx;
    if (!ctx.cacheInUse()) return;
    const tables = analyzeQuery(query).writtenTables(query);
    if (this.#transaction !== undefined) {
      // Inside a transaction, invalidate at commit; remember what to drop.
      if (tables === undefined || this.#transactionTables === 'all') this.#transactionTables = 'all';
      else for (const table of tables) this.#transactionTables.add(table);
      return;
    }
    if (tables === undefined) ctx.cache().clear();
    else ctx.cache().invalidateTables(tables);
  }

  async #runRead<R>(
    plan: RoutePlan,
    query: CompiledQuery,
    rest: unknown[],
    started: number,
    hint: RouteHint | undefined,
  ): Promise<QueryResult<R>> {
    return cachedRead<R>(this.#ctx, query, hint, started, async (cacheOutcome) => {
      if (cacheOutcome?.status !== 'miss')
        return this.#readFromNodes<R>(plan, query, rest, started, hint, cacheOutcome);
      // A cache load may outlive this statement (a background refresh) and may answer other requests (single
      // flight): it runs on its own connection, released when it ends, and no caller's signal cancels it.
      const own = new RoutingConnection(this.#ctx);
      try {
        return await own.#readFromNodes<R>(plan, query, [], started, hint, cacheOutcome);
      } finally {
        await own.release().catch(() => undefined);
      }
    });
  }

  async #readFromNodes<R>(
    plan: RoutePlan,
    query: CompiledQuery,
    rest: unknown[],
    started: number,
    hint: RouteHint | undefined,
    cacheOutcome?: { readonly status: 'miss' | 'bypass'; readonly reason?: string },
  ): Promise<{
    result: QueryResult<R>;
    position: ReplicationPosition | undefined;
    floor: ReplicationPosition | undefined;
    node: RoutedNode;
    reason: RouteReason;
  }> {
    const ctx = this.#ctx;
    const attempts: RouteAttempt[] = [];
    const overall = hint?.timeoutMs ?? ctx.settings.timeoutMs;
    const remaining = Math.max(1, overall - (ctx.now() - started));
    const hedge = ctx.settings.hedge;
    const first = plan.attempts[0];
    const hedgeAfterMs =
      hedge === false || first === undefined || plan.attempts.length < 2
        ? undefined
        : (hedge.afterMs ?? ctx.tailLatencyMs(first.node) ?? undefined);
    // Attempt outcomes in the order they settled (a hedged loser settles as `aborted` when the winner answers).
    const record = (planned: PlannedAttempt, outcome: RouteAttempt['outcome'], durationMs: number) =>
      attempts.push({ node: planned.node.name, role: planned.node.role, outcome, durationMs });
    try {
      const { value, winner } = await runWithFallbacks(
        plan.attempts.map((planned) => ({
          id: planned.node.name,
          run: async (signal: AbortSignal) => {
            const finishAttempt = ctx.beginAttempt(planned.node);
            const attemptStart = ctx.now();
            try {
              const read = await readOnce<R>(
                ctx,
                this.#heldConnections,
                planned,
                plan.requiredPosition,
                query,
                rest,
                ctx.settings.attemptTimeoutMs,
                signal,
                plan.tracksSession === true,
              );
              finishAttempt(this.#attempt(planned.node, 'ok', attemptStart));
              return { ...read, node: planned.node, reason: planned.reason };
            } catch (error) {
              const outcome = signal.aborted
                ? 'aborted'
                : isEdgeDbError(error, 'REPLICA_BEHIND')
                  ? 'behind'
                  : isEdgeDbError(error, 'TIMEOUT')
                    ? 'timeout'
                    : 'error';
              finishAttempt(this.#attempt(planned.node, outcome, attemptStart));
              if (outcome === 'behind') noteBehind(ctx, planned.node);
              else if (outcome !== 'aborted' && isNodeFailure(error)) this.#discard(planned.node);
              throw error;
            }
          },
        })),
        {
          deadlineMs: remaining,
          perAttemptTimeoutMs: Math.min(remaining, ctx.settings.attemptTimeoutMs),
          hedgeAfterMs,
          isRetryable: isNodeFailure,
          signal: signalOf(rest),
          now: ctx.now,
          onOutcome: (outcome) => {
            const planned = plan.attempts[outcome.index]!;
            const status =
              outcome.status === 'success'
                ? 'ok'
                : outcome.status === 'aborted'
                  ? 'aborted'
                  : outcome.status === 'timeout'
                    ? 'timeout'
                    : isEdgeDbError(outcome.error, 'REPLICA_BEHIND')
                      ? 'behind'
                      : 'error';
            record(planned, status, outcome.durationMs);
          },
        },
      );
      const reason: RouteReason = winner.hedged ? 'hedged' : value.reason;
      this.#finish(
        query,
        value.node,
        reason,
        started,
        attempts,
        undefined,
        plan.detail,
        plan.requiredPosition,
        cacheOutcome,
      );
      return value;
    } catch (error) {
      const lastNode = plan.attempts.find((a) => a.node.name === attempts.at(-1)?.node)?.node ?? ctx.primary;
      const surfaced = this.#readError(error, plan, attempts, lastNode, hint);
      this.#finish(
        query,
        lastNode,
        plan.attempts.at(-1)?.reason ?? 'no-replica',
        started,
        attempts,
        surfaced,
        plan.detail,
        plan.requiredPosition,
      );
      throw surfaced;
    }
  }

  #readError(
    error: unknown,
    plan: RoutePlan,
    attempts: RouteAttempt[],
    lastNode: RoutedNode,
    hint: RouteHint | undefined,
  ): unknown {
    const ctx = this.#ctx;
    if (!isNodeFailure(error)) return error;
    const tried = attempts.map((a) => `${a.node}: ${a.outcome}`).join(', ') || 'none usable';
    if (lastNode.role === 'primary') {
      return new EdgeDbError(
        'PRIMARY_UNAVAILABLE',
        `the primary "${lastNode.name}" failed and no replica could serve this read at consistency ` +
          `'${hint?.consistency ?? ctx.settings.consistency}' (${tried}). ` +
          (ctx.session.positionPending
            ? "The session has a write whose position is unconfirmed; read with consistency 'eventual' to accept replica data."
            : 'Retry shortly.'),
        { cause: error },
      );
    }
    if (plan.attempts.every((a) => a.node.role === 'replica')) {
      return new EdgeDbError(
        'NO_REPLICA_AVAILABLE',
        `no replica could serve this read (${tried}); use readPreference 'replicaPreferred' to fall back to the primary`,
        { cause: error },
      );
    }
    return error;
  }

  #attempt(node: RoutedNode, outcome: RouteAttempt['outcome'], since: number): RouteAttempt {
    return { node: node.name, role: node.role, outcome, durationMs: this.#ctx.now() - since };
  }

  #finish(
    query: CompiledQuery,
    node: RoutedNode,
    reason: RouteReason,
    started: number,
    attempts: RouteAttempt[],
    error?: unknown,
    detail?: string,
    required?: ReplicationPosition,
    cache?: { readonly status: 'miss' | 'bypass'; readonly reason?: string },
  ): void {
    this.#ctx.emit({
      sql: query.sql,
      node: node.name,
      role: node.role,
      reason,
      durationMs: this.#ctx.now() - started,
      attempts,
      ...(detail === undefined ? {} : { detail }),
      ...(required === undefined ? {} : { requiredPosition: required.toString() }),
      ...(cache === undefined ? {} : { cache: cache.status }),
      ...(cache?.reason === undefined ? {} : { cacheReason: cache.reason }),
      ...(error === undefined ? {} : { error }),
    });
  }
}

/** A real connection of a driver that supports Kysely 0.29's cancellation. */
interface CancellableConnection extends DatabaseConnection {
  cancelQuery?(
    provider: (consumer: (control: DatabaseConnection) => Promise<unknown>) => Promise<unknown>,
  ): Promise<void>;
}

/** The caller's AbortSignal among the extra arguments Kysely 0.29 passes to `executeQuery` (`{ signal }`). */
function signalOf(rest: readonly unknown[]): AbortSignal | undefined {
  const options = rest[0] as { signal?: unknown } | undefined;
  return typeof AbortSignal !== 'undefined' && options?.signal instanceof AbortSignal
    ? options.signal
    : undefined;
}
