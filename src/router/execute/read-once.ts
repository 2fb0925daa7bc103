import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import { isFinalRefusal, type TransactionId } from '../../consistency/postgres-transaction-id.js';
import type { ReplicationPosition } from '../../consistency/replication-position.js';
import { EdgeDbError, isEdgeDbError } from '../../errors/edge-db-error.js';
import { observeNodePosition } from '../cluster/node-state.js';
import type { PlannedAttempt } from '../plan/route-plan.js';
import type { RoutedNode } from '../routed-node.js';
import type { RouterContext } from '../router-context.js';
import { rewindSessionTo } from '../session/rewind-beyond-primary.js';
import type { HeldConnections } from './held-connections.js';
import { attemptOutcomeOf, diedMidFlight, isNodeFailure } from './node-failure.js';
import type { NodeReadResult } from './read-statement.js';
import { withDeadline } from './with-deadline.js';

/**
 * How long to wait for a replica that is behind the session before asking it again, or `undefined` to go
 * to the next choice now: waiting pays only when the replica's estimated remaining lag plus its round trip
 * beats the primary's round trip, within `consistency.waitBudgetMs`. A replica that pulls on an interval
 * (`backend.catchUp`) may see the write only at its next pull: until a full interval has passed since the
 * write, that bound, not the measured lag, is what waiting can cost.
 */
function worthWaitingMs(ctx: RouterContext, node: RoutedNode): number | undefined {
  const budget = ctx.settings.waitBudgetMs;
  const lag = node.state.estimatedLagMs;
  const pullIntervalMs = node.backend.catchUp?.pullIntervalMs ?? 0;
  if (budget <= 0 || (lag === undefined && pullIntervalMs <= 0) || node.role !== 'replica') return undefined;
  const writtenAt = ctx.session.lastWriteAt;
  const elapsed = writtenAt === undefined ? 0 : ctx.now() - writtenAt;
  const remaining = Math.max(1, (lag ?? 0) - elapsed, pullIntervalMs - elapsed);
  const replicaRtt = ctx.expectedRttMs(node);
  const primaryRtt = ctx.expectedRttMs(ctx.primary);
  if (replicaRtt === undefined || primaryRtt === undefined) return undefined;
  return remaining <= budget && remaining + replicaRtt < primaryRtt ? remaining : undefined;
}

/** A replica was behind the session: raise its lag estimate by the time since the session's write. */
export function noteBehind(ctx: RouterContext, node: RoutedNode): void {
  const writtenAt = ctx.session.lastWriteAt;
  if (writtenAt === undefined) return;
  const lag = ctx.now() - writtenAt;
  node.state.estimatedLagMs = Math.max(node.state.estimatedLagMs ?? 0, lag);
}

/** What one read attempt runs, and where. */
export interface ReadAttempt {
  readonly planned: PlannedAttempt;
  /** The position the session requires, if any. */
  readonly required: ReplicationPosition | undefined;
  /** Writes of the session known by transaction id only, which a replica must prove committed. */
  readonly transactions?: readonly TransactionId[] | undefined;
  readonly query: CompiledQuery;
  readonly rest: unknown[];
  /** The attempt's deadline on the context's clock: every step (connect, probe, read) must end by then. */
  readonly deadlineAt: number;
  /** Aborts the attempt (a hedge lost, the chain's deadline passed); absent when nothing can abort it. */
  readonly signal: AbortSignal | undefined;
  /** Whether the read advances the session (consistency `session`). */
  readonly tracksSession: boolean;
  /** Set once the statement is about to be sent (the connection was acquired): a failure after it may be the node dying mid-flight. */
  sent?: boolean;
}

/**
 * One read attempt on one node: proves the node fresh enough for the session (a probe before the read, or
 * the adapter's check in the read's own round trip, waiting briefly when that beats the primary), runs the
 * read, and advances the session and the node's known position with what the node reported. The node's load
 * and health learn the attempt's outcome; a node that failed loses its connection, and `onMidFlightFailure`
 * hears of a statement that was sent before its node died.
 *
 * A plain read (no check, no position to learn) awaits the statement itself, in this one async frame: it is
 * every read's path on a replica with nothing to prove.
 */
export async function readOnce<R>(
  ctx: RouterContext,
  held: HeldConnections,
  read: ReadAttempt,
  onMidFlightFailure: () => void,
): Promise<NodeReadResult<R>> {
  const { planned, required, deadlineAt, signal, tracksSession } = read;
  const { node } = planned;
  ctx.beginAttempt(node);
  const attemptStart = ctx.now();
  try {
    // Only a replica's check proves transactions; the primary has every write that returned.
    const transactions =
      read.transactions !== undefined && read.transactions.length > 0 ? read.transactions : undefined;
    const checked = node.role === 'replica' ? transactions : undefined;
    const writeEpoch = ctx.session.writeEpoch;
    const adapter = node.adapter;
    const connection = await held.acquire(node, Math.max(1, deadlineAt - ctx.now()));
    // A hedged attempt that lost keeps running (Kysely 0.28 cannot cancel it): hand its connection back when
    // it settles instead of reusing it for the next statement.
    let running: Promise<unknown> | undefined;
    const detach = signal === undefined ? undefined : () => held.detach(node, connection, running);
    if (signal?.aborted === true) {
      // Lost the race while connecting: never start the query.
      held.detach(node, connection, undefined);
      throw lostRace(node);
    }
    if (detach !== undefined) signal?.addEventListener('abort', detach, { once: true });
    read.sent = true;
    let answer: AttemptAnswer<R>;
    if (
      adapter === undefined ||
      (planned.check !== 'probe' && planned.check !== 'piggyback' && !planned.learnPosition)
    ) {
      const work = runStatement<R>(ctx, connection, read);
      running = work;
      answer = { result: await work, position: undefined, floor: undefined, settles: false };
    } else {
      // Kept so a connection detached by an abort goes back to its pool only once this read settles.
      const work = runAttempt<R>(ctx, connection, read, checked);
      running = work;
      answer = await work;
    }
    if (detach !== undefined) signal?.removeEventListener('abort', detach);
    const { result, position, floor, settles } = answer;
    // The signal may have fired while the read ran (TypeScript's narrowing does not know it can).
    if (isAborted(signal)) throw lostRace(node);
    observeNodePosition(node.state, position ?? (node.role === 'replica' ? floor : undefined), ctx.now());
    if (node.role === 'replica' && required !== undefined && floor !== undefined && floor < required) {
      // The node's own word says it is behind what the plan believed (rebuilt or restored behind its old
      // position): its rows must not be served for this session.
      throw new EdgeDbError(
        'REPLICA_BEHIND',
        `replica "${node.name}" reports a position behind the session's`,
      );
    }
    if (node.role === 'primary' && position !== undefined && required !== undefined && position < required) {
      // The primary is behind the session: the requirement came from a token issued before a restore or a
      // failover (or forged). Nothing can satisfy it; trust the primary and forget positions beyond it.
      rewindSessionTo(ctx, position);
    }
    if (planned.reason === 'after-write' && position !== undefined)
      ctx.session.resolvePending(position, writeEpoch);
    // The primary's position after the read is past every write that had returned when the read was planned;
    // a replica's only when its adapter says so.
    if (transactions !== undefined && (node.role === 'primary' ? position !== undefined : settles))
      ctx.session.settleTransactions(transactions);
    if (tracksSession) ctx.session.noteServedBy(node.name, node.role, position);
    if (node.role === 'replica' && required !== undefined && node.state.estimatedLagMs !== undefined) {
      node.state.estimatedLagMs /= 2;
    }
    ctx.endAttempt(node, 'ok', ctx.now() - attemptStart);
    // A replica of the plan was known or checked to have replayed the session's requirement, and a standby
    // makes a commit visible when it replays it: its rows reflect the requirement. A primary proves nothing of
    // the kind (a commit can be in the WAL before it is visible, and a requirement may be forged): no floor
    // from it. Without a report, the plan's trusted knowledge (check `none`) or the check it passed is the
    // floor. A backend that guarantees its floors itself (a D1 session) proves them on the primary too.
    const proven =
      node.role === 'replica' ? (floor ?? required) : adapter?.floorGuaranteed ? floor : undefined;
    return { result, position, floor: proven, node, reason: planned.reason };
  } catch (error) {
    const outcome = attemptOutcomeOf(error, signal?.aborted === true);
    ctx.endAttempt(node, outcome, ctx.now() - attemptStart, error);
    if (outcome === 'behind') noteBehind(ctx, node);
    else if (outcome !== 'aborted' && isNodeFailure(error)) {
      held.discard(node);
      if (read.sent === true && outcome === 'error' && diedMidFlight(error)) onMidFlightFailure();
    }
    throw error;
  }
}

/**
 * The read itself on the attempt's connection, within the attempt's deadline. The attempt's signal stands in for
 * the caller's (it aborts with it): a lost hedge or a missed deadline cancels the driver's I/O where the driver
 * honours it (edge-db's Neon HTTP and libSQL fetches).
 */
function runStatement<R>(
  ctx: RouterContext,
  connection: DatabaseConnection,
  read: ReadAttempt,
): Promise<QueryResult<R>> {
  const { signal, rest } = read;
  const args = signal === undefined ? rest : [{ ...(rest[0] as object | undefined), signal }];
  return withDeadline(
    connection.executeQuery<R>(read.query, ...(args as [])),
    Math.max(1, read.deadlineAt - ctx.now()),
    `node "${read.planned.node.name}"`,
  );
}

/** What one attempt's statements told: the rows, and the positions around them. */
interface AttemptAnswer<R> {
  readonly result: QueryResult<R>;
  readonly position: ReplicationPosition | undefined;
  readonly floor: ReplicationPosition | undefined;
  readonly settles: boolean;
}

/** The statements of one attempt on its connection: the check the plan asks for, the read, the position. */
async function runAttempt<R>(
  ctx: RouterContext,
  connection: DatabaseConnection,
  read: ReadAttempt,
  checked: readonly TransactionId[] | undefined,
): Promise<AttemptAnswer<R>> {
  const { planned, required, query, deadlineAt, signal } = read;
  const { node } = planned;
  const adapter = node.adapter;
  const label = `node "${node.name}"`;
  const left = () => Math.max(1, deadlineAt - ctx.now());
  let position: ReplicationPosition | undefined;
  let floor: ReplicationPosition | undefined;
  let result: QueryResult<R>;
  let settles = false;
  if (planned.check === 'probe' && adapter !== undefined) {
    floor = await withDeadline(adapter.readPosition(connection, node.role, checked), left(), label);
    observeNodePosition(node.state, floor, ctx.now());
    if (required !== undefined && (floor === undefined || floor < required)) {
      throw new EdgeDbError(
        'REPLICA_BEHIND',
        `replica "${node.name}" has not applied the session's position yet`,
      );
    }
  }
  if (
    adapter?.executeWithPosition !== undefined &&
    (planned.check === 'piggyback' || planned.learnPosition)
  ) {
    const run = () =>
      withDeadline(
        adapter.executeWithPosition!<R>(connection, query, {
          role: node.role,
          minPosition: planned.check === 'piggyback' ? required : undefined,
          ...(planned.check === 'piggyback' && checked !== undefined ? { transactions: checked } : {}),
          signal,
        }),
        left(),
        label,
      );
    let positioned: Awaited<ReturnType<typeof run>>;
    try {
      positioned = await run();
    } catch (error) {
      const waitMs =
        isEdgeDbError(error, 'REPLICA_BEHIND') && !isFinalRefusal(error)
          ? worthWaitingMs(ctx, node)
          : undefined;
      if (waitMs === undefined || signal?.aborted === true) throw error;
      await abortableSleep(waitMs, signal);
      positioned = await run();
    }
    result = positioned.result;
    position = positioned.position;
    floor = positioned.floor ?? floor;
    settles = positioned.settlesTransactions === true;
  } else {
    result = await runStatement<R>(ctx, connection, read);
  }
  // The primary's position after the read, where its adapter could not tell it in the read's round trip.
  if (
    position === undefined &&
    planned.learnPosition &&
    adapter !== undefined &&
    node.role === 'primary' &&
    adapter.reportsPositions !== false
  ) {
    position = await withDeadline(adapter.readPosition(connection, 'primary'), left(), label);
  }
  return { result, position, floor, settles };
}

/** The attempt's signal fired (a hedge won elsewhere, or the chain's deadline passed): its rows are not used. */
function lostRace(node: RoutedNode): EdgeDbError {
  return new EdgeDbError('TIMEOUT', `node "${node.name}" lost a hedged race or its deadline`);
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Sleeps `ms`, or rejects at once when `signal` aborts. */
function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise((resolve) => setTimeout(resolve, ms));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new EdgeDbError('TIMEOUT', 'the wait for a replica to catch up was cancelled'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
