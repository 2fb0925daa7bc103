/**
 * A scripted stand-in for a Hrana-over-HTTP server (`POST /v2/pipeline`, JSON), for unit tests of the libSQL
 * driver without a server. Every statement goes to `answer`, which returns a StmtResult or a Hrana error.
 */

export interface WireValue {
  readonly type: 'null' | 'integer' | 'float' | 'text' | 'blob';
  readonly value?: string | number;
  readonly base64?: string;
}

export interface WireStmtResult {
  readonly cols: { name: string; decltype: string | null }[];
  readonly rows: WireValue[][];
  readonly affected_row_count: number;
  readonly last_insert_rowid: string | null;
  readonly replication_index?: string | number;
}

export interface WireError {
  readonly error: { message: string; code: string };
}

export interface SeenStatement {
  readonly sql: string;
  readonly replicationIndex: unknown;
  /** Where it came from: a plain `execute` or a step of a `batch` (the batch's own index is on the batch). */
  readonly via: 'execute' | 'batch';
}

export type Answer = (sql: string, args: unknown[]) => WireStmtResult | WireError;

export function stmtResult(partial: Partial<WireStmtResult> = {}): WireStmtResult {
  return { cols: [], rows: [], affected_row_count: 0, last_insert_rowid: null, ...partial };
}

export function hranaError(code: string, message = `${code} from the scripted server`): WireError {
  return { error: { message, code } };
}

export interface ScriptedFetch {
  readonly fetch: (input: Request, init?: RequestInit) => Promise<Response>;
  /** Parsed request bodies, in order. */
  readonly bodies: Record<string, unknown>[];
  /** Every statement seen (plain or in batches), with the replication index that came along. */
  readonly statements: SeenStatement[];
  readonly headers: Headers[];
}

export function scriptedFetch(answer: Answer): ScriptedFetch {
  const bodies: Record<string, unknown>[] = [];
  const statements: SeenStatement[] = [];
  const headers: Headers[] = [];
  const sqlById = new Map<number, string>();

  const run = (stmt: Record<string, unknown>, via: 'execute' | 'batch', batchIndex?: unknown) => {
    const sql =
      typeof stmt.sql === 'string' ? stmt.sql : (sqlById.get(stmt.sql_id as number) ?? '<unknown sql id>');
    statements.push({ sql, replicationIndex: via === 'batch' ? batchIndex : stmt.replication_index, via });
    return answer(sql, (stmt.args as unknown[]) ?? []);
  };

  const fetch = async (input: Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    headers.push(request.headers);
    const body = JSON.parse(await request.text()) as Record<string, unknown>;
    bodies.push(body);
    const results = (body.requests as Record<string, unknown>[]).map((req) => {
      switch (req.type) {
        case 'execute': {
          const out = run(req.stmt as Record<string, unknown>, 'execute');
          return 'error' in out
            ? { type: 'error', error: out.error }
            : { type: 'ok', response: { type: 'execute', result: out } };
        }
        case 'batch': {
          const batch = req.batch as {
            steps: { stmt: Record<string, unknown> }[];
            replication_index?: unknown;
          };
          const stepResults: unknown[] = [];
          const stepErrors: unknown[] = [];
          let highest = 0;
          for (const step of batch.steps) {
            const out = run(step.stmt, 'batch', batch.replication_index);
            if ('error' in out) {
              stepResults.push(null);
              stepErrors.push(out.error);
            } else {
              stepResults.push(out);
              stepErrors.push(null);
              highest = Math.max(highest, Number(out.replication_index ?? 0));
            }
          }
          return {
            type: 'ok',
            response: {
              type: 'batch',
              result: {
                step_results: stepResults,
                step_errors: stepErrors,
                replication_index: String(highest),
              },
            },
          };
        }
        case 'store_sql':
          sqlById.set(req.sql_id as number, req.sql as string);
          return { type: 'ok', response: { type: 'store_sql' } };
        case 'close_sql':
          return { type: 'ok', response: { type: 'close_sql' } };
        case 'close':
          return { type: 'ok', response: { type: 'close' } };
        default:
          return { type: 'error', error: { message: `unexpected ${String(req.type)}`, code: 'PROTO_ERROR' } };
      }
    });
    const closes = (body.requests as { type: string }[]).some((r) => r.type === 'close');
    return new Response(JSON.stringify({ baton: closes ? null : 'baton-1', base_url: null, results }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch, bodies, statements, headers };
}
