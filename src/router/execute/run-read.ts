import type { QueryResult } from 'kysely';
import { signalOf } from '../../consistency/query-signal.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { attemptOf } from '../observe/emit-route.js';
import type { RouteAttempt, RouteReason } from '../observe/route-event.js';
import type { PlannedAttempt } from '../plan/route-plan.js';
import type { RoutedNode } from '../routed-node.js';
import { rewindBeyondPrimary } from '../session/rewind-beyond-primary.js';
import { cachedRead, resultOf } from './cached-read.js';
import type { ExecutionScope } from './execution-scope.js';
import { attemptOutcomeOf, isNodeFailure, isWriteRefusal } from './node-failure.js';
import { readError, writeInstead } from './read-failure.js';
import { type ReadAttempt, readOnce } from './read-once.js';
import type { NodeReadResult, ReadRequest, ReadStatement } from './read-statement.js';
import { runWithFallbacks } from './run-with-fallbacks.js';

/**
 * Statements whose node died after they were sent, at most this many times per statement: a statement that
 * kills the server running it (an engine crash on bad input) must not be retried across the whole fleet.
 */
const MAX_MID_FLIGHT_FAILURES = 2;

/**
 * Runs a read: through the isolate cache when enabled, else (or on a miss) on the plan's nodes in order,
 * with deadlines, hedging and fallbacks. The read is planned only when it goes to the nodes: a cache hit
 * ranks no replica. A replica refusing the statement as a write (a function that writes) turns it into a
 * write on the primary, remembered so the next one goes there first.
 */
export function runRead<R>(
  scope: ExecutionScope,
  request: ReadRequest,
): QueryResult<R> | Promise<QueryResult<R>> {
  const { ctx } = scope;
  const cacheHint = request.hint?.cache;
  if (cacheHint === false || (cacheHint === undefined && !ctx.settings.cacheAllReads)) {
    // No async frame of its own: this is every uncached read's path.
    return readPlanned<R>(scope, request, undefined).then(resultOf);
  }
  return cachedRead<R>(ctx, request, async (cacheOutcome) => {
    if (cacheOutcome?.status !== 'miss') return readPlanned<R>(scope, request, cacheOutcome);
    // A cache load may outlive this statement (a background refresh) and may answer other requests (single
    // flight): it runs on its own connection, released when it ends, and no caller's signal cancels it.
    const own = scope.detached();
    try {
      return await readPlanned<R>(own, { ...request, rest: [] }, cacheOutcome);
    } finally {
      await own.release().catch(() => undefined);
    }
  });
}

/**
 * Plans the read and runs it on the nodes; once more after a rewind when the session's token is from the
 * future. No async frame of its own (every uncached read passes here): the retry is a rejection handler.
 */
function readPlanned<R>(
  scope: ExecutionScope,
  request: ReadRequest,
  cacheOutcome: { readonly status: 'miss' | 'bypass'; readonly reason?: string | undefined } | undefined,
): Promise<NodeReadResult<R>> {
  const { ctx } = scope;
  const { query, rest, started, hint } = request;
  const plan = ctx.plan(request.queryClass, hint, started);
  const read: ReadStatement = { plan, query, rest, started, hint };
  return readFromNodes<R>(scope, read, cacheOutcome).catch(async (error: unknown) => {
    // No replica reached a requirement the primary itself is behind (a token from the future): rewind, retry.
    if (!(await rewindBeyondPrimary(ctx, error, plan.requiredPosition))) throw error;
    const rewound = { ...plan, requiredPosition: ctx.session.minPosition, requiredTransactions: undefined };
    return readFromNodes<R>(scope, { ...read, plan: rewound }, cacheOutcome);
  });
}

async function readFromNodes<R>(
  scope: ExecutionScope,
  read: ReadStatement,
  cacheOutcome: { readonly status: 'miss' | 'bypass'; readonly reason?: string | undefined } | undefined,
): Promise<NodeReadResult<R>> {
  const { ctx } = scope;
  const { plan, query, rest, started, hint } = read;
  const attempts: RouteAttempt[] = [];
  const overall = hint?.timeoutMs ?? ctx.settings.timeoutMs;
  const remaining = Math.max(1, overall - (ctx.now() - started));
  const hedge = ctx.settings.hedge;
  const first = plan.attempts[0];
  const hedgeAfterMs =
    hedge === false || first === undefined || plan.attempts.length < 2
      ? undefined
      : (hedge.afterMs ?? ctx.tailLatencyMs(first.node) ?? undefined);
  let midFlightFailures = 0;
  const onMidFlightFailure = () => midFlightFailures++;
  const retryable = (error: unknown) => isNodeFailure(error) && midFlightFailures < MAX_MID_FLIGHT_FAILURES;
  const callerSignal = signalOf(rest[0]);
  try {
    if (hedgeAfterMs === undefined && callerSignal === undefined) {
      // The common case: one attempt after another, each bounded by its own deadline, nothing to abort.
      const deadlineAt = started + overall;
      let lastError: unknown;
      for (const planned of plan.attempts) {
        const now = ctx.now();
        if (now >= deadlineAt) {
          throw new EdgeDbError(
            'TIMEOUT',
            `no node answered within the statement's deadline (${overall} ms); raise timeoutMs or check the nodes`,
            { cause: lastError },
          );
        }
        const attemptDeadline = Math.min(deadlineAt, now + ctx.settings.attemptTimeoutMs);
        try {
          const value = await attemptRead<R>(
            scope,
            read,
            planned,
            undefined,
            attemptDeadline,
            onMidFlightFailure,
          );
          if (ctx.observed) {
            attempts.push(attemptOf(planned.node, 'ok', now, ctx.now()));
            finishRead(scope, read, value.node, value.reason, attempts, cacheOutcome);
          }
          return value;
        } catch (error) {
          attempts.push(attemptOf(planned.node, attemptOutcomeOf(error, false), now, ctx.now()));
          if (!retryable(error)) throw error;
          lastError = error;
        }
      }
      throw lastError;
    }
    const { value, winner } = await runWithFallbacks(
      plan.attempts.map((planned) => ({
        id: planned.node.name,
        run: (signal: AbortSignal) =>
          attemptRead<R>(
            scope,
            read,
            planned,
            signal,
            ctx.now() + ctx.settings.attemptTimeoutMs,
            onMidFlightFailure,
          ),
      })),
      {
        deadlineMs: remaining,
        perAttemptTimeoutMs: Math.min(remaining, ctx.settings.attemptTimeoutMs),
        hedgeAfterMs,
        isRetryable: retryable,
        signal: callerSignal,
        now: ctx.now,
        onOutcome: (outcome) => {
          const planned = plan.attempts[outcome.index]!;
          const status =
            outcome.status === 'success'
              ? 'ok'
              : attemptOutcomeOf(outcome.error, outcome.status === 'aborted');
          attempts.push({
            node: planned.node.name,
            role: planned.node.role,
            outcome: outcome.status === 'timeout' ? 'timeout' : status,
            durationMs: outcome.durationMs,
          });
        },
      },
    );
    finishRead(scope, read, value.node, winner.hedged ? 'hedged' : value.reason, attempts, cacheOutcome);
    return value;
  } catch (error) {
    const lastNode = plan.attempts.find((a) => a.node.name === attempts.at(-1)?.node)?.node ?? ctx.primary;
    if (isWriteRefusal(error) && lastNode.role === 'replica') {
      return writeInstead<R>(scope, read, lastNode, attempts, error);
    }
    const surfaced = readError(scope, error, plan, attempts, lastNode, hint);
    if (ctx.observed) {
      ctx.finish({
        query,
        node: lastNode,
        reason: plan.attempts.at(-1)?.reason ?? 'no-replica',
        started,
        attempts,
        error: surfaced,
        detail: plan.detail,
        required: plan.requiredPosition,
        transactions: plan.requiredTransactions,
      });
    }
    throw surfaced;
  }
}

function finishRead(
  scope: ExecutionScope,
  read: ReadStatement,
  node: RoutedNode,
  reason: RouteReason,
  attempts: readonly RouteAttempt[],
  cache: { readonly status: 'miss' | 'bypass'; readonly reason?: string | undefined } | undefined,
): void {
  if (!scope.ctx.observed) return;
  scope.ctx.finish({
    query: read.query,
    node,
    reason,
    started: read.started,
    attempts,
    detail: read.plan.detail,
    required: read.plan.requiredPosition,
    transactions: read.plan.requiredTransactions,
    cache,
  });
}

/** The attempt of the plan on its node. */
function attemptRead<R>(
  scope: ExecutionScope,
  read: ReadStatement,
  planned: PlannedAttempt,
  signal: AbortSignal | undefined,
  deadlineAt: number,
  onMidFlightFailure: () => void,
): Promise<NodeReadResult<R>> {
  const attempt: ReadAttempt = {
    planned,
    required: read.plan.requiredPosition,
    transactions: read.plan.requiredTransactions,
    query: read.query,
    rest: read.rest,
    deadlineAt,
    signal,
    tracksSession: read.plan.tracksSession === true,
  };
  return readOnce<R>(scope.ctx, scope.held, attempt, onMidFlightFailure);
}
