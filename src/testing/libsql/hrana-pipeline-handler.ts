import { setTimeout as sleep } from 'node:timers/promises';
import { HranaError, primarySqliteCode, toHranaErrorBody } from './hrana-error.js';
import type { HranaStream } from './hrana-stream-store.js';
import type {
  HranaBatch,
  HranaBatchCond,
  HranaBatchResult,
  HranaErrorBody,
  HranaStmt,
  HranaStmtResult,
  HranaStreamRequest,
  HranaStreamResponse,
  HranaStreamResult,
} from './hrana-types.js';
import type { StreamForwarding } from './stream-forwarding.js';

/** What the pipeline handler needs from the server it runs in. */
export interface PipelineContext {
  readonly role: 'primary' | 'replica';
  /** The node's current replication index (a primary re-reads its WAL). */
  currentIndex(): bigint;
  /** Waits until the node has applied `index`; `false` on timeout. */
  waitForIndex(index: bigint, timeoutMs: number): Promise<boolean>;
  readonly replicationWaitMs: () => number;
  /** How long a statement keeps retrying SQLITE_BUSY before the error is returned. */
  readonly busyTimeoutMs: number;
  /** Forwarding and pulling replicas: how writes reach the primary. */
  readonly forwarding?: StreamForwarding | undefined;
}

const READONLY_MESSAGE =
  'This libSQL node is a read replica and refuses writes: send writes and write transactions to the primary';

function isRetryableBusy(error: unknown): boolean {
  // BUSY_SNAPSHOT means the transaction's snapshot is stale: retrying cannot succeed, the client must restart.
  return (
    primarySqliteCode(error) === 'SQLITE_BUSY' && (error as { code: string }).code !== 'SQLITE_BUSY_SNAPSHOT'
  );
}

function parseIndex(raw: string | number | null | undefined): bigint | undefined {
  if (raw === null || raw === undefined || raw === '') return undefined;
  try {
    return BigInt(raw);
  } catch {
    throw new HranaError('PROTO_ERROR', `replication_index ${JSON.stringify(raw)} is not an integer`);
  }
}

/**
 * Executes Hrana stream requests on one stream: SQL texts, conditions, SQLITE_BUSY retries, replication-index
 * waits on replicas, the read-only rule of `readonly` replicas and the write forwarding of the others.
 */
export class HranaPipelineHandler {
  readonly #context: PipelineContext;

  constructor(context: PipelineContext) {
    this.#context = context;
  }

  /** Runs the requests in order; every request gets a result even when earlier ones failed. */
  async run(stream: HranaStream, requests: readonly HranaStreamRequest[]): Promise<HranaStreamResult[]> {
    const results: HranaStreamResult[] = [];
    const forwarding = this.#context.forwarding;
    for (const [i, request] of requests.entries()) {
      if (stream.closed) {
        results.push({ type: 'error', error: { message: 'The stream is closed', code: 'STREAM_CLOSED' } });
        continue;
      }
      if (forwarding?.shouldForward(stream, request)) {
        results.push(
          ...(await forwarding.forward(stream, requests.slice(i), (local) => this.#runOne(stream, local))),
        );
        break;
      }
      results.push(await this.#runOne(stream, request));
    }
    return results;
  }

  /** Runs a batch outside a pipeline (cursors), forwarded like any batch. */
  async runBatch(stream: HranaStream, batch: HranaBatch): Promise<HranaBatchResult> {
    const [result] = await this.run(stream, [{ type: 'batch', batch }]);
    if (result?.type === 'ok' && result.response.type === 'batch') return result.response.result;
    throw new HranaError(
      result?.type === 'error' ? (result.error.code ?? 'INTERNAL') : 'INTERNAL',
      result?.type === 'error' ? result.error.message : 'The batch gave no result',
    );
  }

  async #runOne(stream: HranaStream, request: HranaStreamRequest): Promise<HranaStreamResult> {
    try {
      return { type: 'ok', response: await this.#handle(stream, request) };
    } catch (error) {
      return { type: 'error', error: this.#errorBody(error) };
    }
  }

  #errorBody(error: unknown): HranaErrorBody {
    if (this.#context.role === 'replica' && primarySqliteCode(error) === 'SQLITE_READONLY') {
      return { message: READONLY_MESSAGE, code: 'READONLY' };
    }
    return toHranaErrorBody(error);
  }

  async #handle(stream: HranaStream, request: HranaStreamRequest): Promise<HranaStreamResponse> {
    switch (request.type) {
      case 'close':
        stream.close();
        return { type: 'close' };
      case 'execute':
        return { type: 'execute', result: await this.#execute(stream, request.stmt) };
      case 'batch':
        return { type: 'batch', result: await this.#batch(stream, request.batch) };
      case 'sequence': {
        const sql = this.#sqlText(stream, request);
        // No busy retry: the statements before a busy one have already run, a retry would repeat them.
        stream.connection().executeSequence(sql);
        return { type: 'sequence' };
      }
      case 'describe': {
        const sql = this.#sqlText(stream, request);
        return { type: 'describe', result: stream.connection().describe(sql) };
      }
      case 'store_sql':
        if (stream.sqlTexts.has(request.sql_id)) {
          throw new HranaError(
            'PROTO_ERROR',
            `SQL text id ${request.sql_id} is already in use on this stream`,
          );
        }
        stream.sqlTexts.set(request.sql_id, String(request.sql));
        return { type: 'store_sql' };
      case 'close_sql':
        stream.sqlTexts.delete(request.sql_id);
        return { type: 'close_sql' };
      case 'get_autocommit':
        return { type: 'get_autocommit', is_autocommit: stream.isAutocommit };
      default:
        throw new HranaError(
          'PROTO_ERROR',
          `Unknown request type ${JSON.stringify((request as { type?: unknown }).type)}`,
        );
    }
  }

  #sqlText(
    stream: HranaStream,
    source: { readonly sql?: string | null; readonly sql_id?: number | null },
  ): string {
    const hasSql = source.sql !== undefined && source.sql !== null;
    const hasId = source.sql_id !== undefined && source.sql_id !== null;
    if (hasSql === hasId)
      throw new HranaError('PROTO_ERROR', 'Exactly one of `sql` and `sql_id` must be given');
    if (hasSql) return String(source.sql);
    const sql = stream.sqlTexts.get(source.sql_id as number);
    if (sql === undefined)
      throw new HranaError('SQL_NOT_FOUND', `No SQL text is stored under id ${source.sql_id}`);
    return sql;
  }

  async #awaitIndex(raw: string | number | null | undefined): Promise<void> {
    const wanted = parseIndex(raw);
    // A primary is the source of every index: it never waits.
    if (wanted === undefined || this.#context.role === 'primary') return;
    const waitMs = this.#context.replicationWaitMs();
    if (await this.#context.waitForIndex(wanted, waitMs)) return;
    throw new HranaError(
      'REPLICATION_INDEX_TIMEOUT',
      `The replica has applied replication index ${this.#context.currentIndex()} but the request requires ${wanted}; ` +
        `it did not catch up within ${waitMs} ms. Retry on the primary or later.`,
    );
  }

  async #withBusyRetry<T>(run: () => T): Promise<T> {
    const deadline = Date.now() + this.#context.busyTimeoutMs;
    let pause = 2;
    for (;;) {
      try {
        return run();
      } catch (error) {
        if (!isRetryableBusy(error) || Date.now() >= deadline) throw error;
        await sleep(pause);
        pause = Math.min(pause * 2, 50);
      }
    }
  }

  async #execute(stream: HranaStream, stmt: HranaStmt): Promise<HranaStmtResult> {
    await this.#awaitIndex(stmt.replication_index);
    const sql = this.#sqlText(stream, stmt);
    const outcome = await this.#withBusyRetry(() =>
      stream
        .connection()
        .execute({ sql, args: stmt.args, namedArgs: stmt.named_args, wantRows: stmt.want_rows }),
    );
    return { ...outcome, replication_index: this.#context.currentIndex().toString() };
  }

  async #batch(stream: HranaStream, batch: HranaBatch): Promise<HranaBatchResult> {
    await this.#awaitIndex(batch.replication_index);
    const stepResults: (HranaStmtResult | null)[] = [];
    const stepErrors: (HranaErrorBody | null)[] = [];
    const evaluate = (cond: HranaBatchCond): boolean => {
      switch (cond.type) {
        case 'ok':
          return stepResults[cond.step] != null;
        case 'error':
          return stepErrors[cond.step] != null;
        case 'not':
          return !evaluate(cond.cond);
        case 'and':
          return cond.conds.every(evaluate);
        case 'or':
          return cond.conds.some(evaluate);
        case 'is_autocommit':
          return stream.isAutocommit;
        default:
          throw new HranaError(
            'PROTO_ERROR',
            `Unknown batch condition ${JSON.stringify((cond as { type?: unknown }).type)}`,
          );
      }
    };
    for (const step of batch.steps) {
      if (step.condition != null && !evaluate(step.condition)) {
        stepResults.push(null);
        stepErrors.push(null);
        continue;
      }
      try {
        stepResults.push(await this.#execute(stream, step.stmt));
        stepErrors.push(null);
      } catch (error) {
        stepResults.push(null);
        stepErrors.push(this.#errorBody(error));
      }
    }
    return {
      step_results: stepResults,
      step_errors: stepErrors,
      replication_index: this.#context.currentIndex().toString(),
    };
  }
}
