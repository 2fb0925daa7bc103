import { HranaError, toHranaErrorBody } from './hrana-error.js';
import type { HranaStream } from './hrana-stream-store.js';
import type { HranaStmt, HranaStreamRequest, HranaStreamResult } from './hrana-types.js';
import type { PrimaryForwarder } from './primary-forwarder.js';
import { statementNeedsPrimary } from './statement-needs-primary.js';

function resolveStmt(stream: HranaStream, stmt: HranaStmt): HranaStmt {
  if (stmt.sql_id === undefined || stmt.sql_id === null) return stmt;
  const sql = stream.sqlTexts.get(stmt.sql_id);
  if (sql === undefined)
    throw new HranaError('SQL_NOT_FOUND', `No SQL text is stored under id ${stmt.sql_id}`);
  const { sql_id: _id, ...rest } = stmt;
  return { ...rest, sql };
}

function stmtSql(stream: HranaStream, stmt: HranaStmt): string | undefined {
  if (typeof stmt.sql === 'string') return stmt.sql;
  return stmt.sql_id === undefined || stmt.sql_id === null ? undefined : stream.sqlTexts.get(stmt.sql_id);
}

/** The request as the primary must see it: SQL texts stored on the replica stream are inlined. */
function resolveRequest(stream: HranaStream, request: HranaStreamRequest): HranaStreamRequest {
  switch (request.type) {
    case 'execute':
      return { type: 'execute', stmt: resolveStmt(stream, request.stmt) };
    case 'batch':
      return {
        type: 'batch',
        batch: {
          ...request.batch,
          steps: request.batch.steps.map((step) => ({ ...step, stmt: resolveStmt(stream, step.stmt) })),
        },
      };
    case 'sequence':
    case 'describe': {
      const sql = stmtSql(stream, { sql: request.sql ?? null, sql_id: request.sql_id ?? null });
      if (sql === undefined) throw new HranaError('SQL_NOT_FOUND', 'No SQL text is stored under that id');
      return { type: request.type, sql };
    }
    default:
      return request;
  }
}

function highestIndex(results: readonly HranaStreamResult[]): bigint | undefined {
  let highest: bigint | undefined;
  const consider = (raw: unknown) => {
    if (typeof raw !== 'string' && typeof raw !== 'number') return;
    try {
      const index = BigInt(raw);
      if (highest === undefined || index > highest) highest = index;
    } catch {
      // Not an index: ignore.
    }
  };
  for (const result of results) {
    if (result.type !== 'ok') continue;
    const response = result.response;
    if (response.type === 'execute') consider(response.result.replication_index);
    if (response.type === 'batch') {
      consider(response.result.replication_index);
      for (const step of response.result.step_results) consider(step?.replication_index);
    }
  }
  return highest;
}

/**
 * The write forwarding of a `forwarding` or `pulling` replica: a stream's first write (or transaction that is
 * not `READONLY`) and everything after it on that stream go to the primary, over one primary stream, so
 * transactions and read-your-writes inside the stream hold. Before answering, the replica catches up to the
 * index the primary reported, so the client's next read on this replica sees its write.
 */
export class StreamForwarding {
  readonly #forwarder: PrimaryForwarder;
  readonly #afterForward: (index: bigint) => Promise<void>;

  constructor(forwarder: PrimaryForwarder, afterForward: (index: bigint) => Promise<void>) {
    this.#forwarder = forwarder;
    this.#afterForward = afterForward;
  }

  /** Whether `request` (and the rest of its pipeline) goes to the primary. */
  shouldForward(stream: HranaStream, request: HranaStreamRequest): boolean {
    // A transaction the replica opened itself (`BEGIN READONLY`) stays here; a write in it fails as READONLY.
    if (!stream.isAutocommit) return false;
    if (stream.forwarded) return request.type !== 'store_sql' && request.type !== 'close_sql';
    switch (request.type) {
      case 'execute':
        return statementNeedsPrimary(stmtSql(stream, request.stmt) ?? '');
      case 'batch':
        return request.batch.steps.some((step) => statementNeedsPrimary(stmtSql(stream, step.stmt) ?? ''));
      case 'sequence':
        return true;
      default:
        return false;
    }
  }

  /**
   * Sends `requests` to the primary; `local` answers the ones that only touch the replica stream
   * (`store_sql`, `close_sql`). Every request gets a result, in order.
   */
  async forward(
    stream: HranaStream,
    requests: readonly HranaStreamRequest[],
    local: (request: HranaStreamRequest) => Promise<HranaStreamResult>,
  ): Promise<HranaStreamResult[]> {
    const slots: (HranaStreamResult | number)[] = [];
    const outgoing: HranaStreamRequest[] = [];
    for (const request of requests) {
      if (request.type === 'store_sql' || request.type === 'close_sql') {
        slots.push(await local(request));
        continue;
      }
      try {
        outgoing.push(resolveRequest(stream, request));
        slots.push(outgoing.length - 1);
      } catch (error) {
        slots.push({ type: 'error', error: toHranaErrorBody(error) });
      }
    }
    let results: HranaStreamResult[];
    try {
      const answer = await this.#forwarder.pipeline(stream.primaryBaton, outgoing);
      stream.forwarded = true;
      stream.primaryBaton = answer.baton;
      results = answer.results;
    } catch (error) {
      // The primary stream's state is unknown now (maybe mid-transaction): the client must start over.
      stream.primaryBaton = null;
      stream.close();
      const body = toHranaErrorBody(error);
      results = outgoing.map(() => ({ type: 'error', error: body }));
    }
    if (outgoing.some((request) => request.type === 'close')) stream.close();
    const index = highestIndex(results);
    if (index !== undefined) await this.#afterForward(index);
    return slots.map((slot) =>
      typeof slot === 'number'
        ? (results[slot] ?? {
            type: 'error',
            error: { message: 'The primary sent no result', code: 'PROXY_ERROR' },
          })
        : slot,
    );
  }
}
