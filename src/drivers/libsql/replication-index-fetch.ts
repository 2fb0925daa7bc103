import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { LibsqlFetch } from './libsql-dialect-config.js';
import type { ReplicationIndexTracker } from './replication-index-tracker.js';

const U64_MAX = 2n ** 64n - 1n;

/** Options of {@link createReplicationIndexFetch}. */
export interface ReplicationIndexFetchOptions {
  /** Where observed indexes go and where the required index comes from. */
  readonly tracker: ReplicationIndexTracker;
  /** Deadline of each request, response body included. */
  readonly timeoutMs: number;
  /** The `fetch` to call; `globalThis.fetch` (looked up per request) when absent. */
  readonly fetch?: LibsqlFetch | undefined;
  /**
   * The signal of the statement being sent, read per request: aborting it aborts the `fetch` (a hedged
   * loser, a missed attempt deadline, a caller's cancel), which fails with the signal's reason.
   */
  readonly signal?: (() => AbortSignal | undefined) | undefined;
}

/**
 * Wraps `fetch` for `@libsql/client`'s HTTP transport (Hrana over HTTP, JSON encoding):
 *
 * - adds `replication_index` to every outgoing Stmt and Batch while the tracker requires an index
 *   (sqld makes a replica wait until it has applied that WAL frame);
 * - reads `replication_index` from every StmtResult and BatchResult of the response into the tracker;
 * - gives every request a deadline and turns a missed deadline into `EdgeDbError` code `TIMEOUT`.
 *
 * Protobuf bodies, cursor streams and error responses pass through unparsed (their body still under the
 * deadline, a miss while streaming them also fails with `TIMEOUT`). The client never sees the difference.
 *
 * ### Examples
 * ```ts
 * const tracker = new ReplicationIndexTracker()
 * const client = createClient({ url, fetch: createReplicationIndexFetch({ tracker, timeoutMs: 10_000 }) })
 * await client.execute('select 1')
 * console.log(tracker.highest) // e.g. 17n
 * ```
 */
export function createReplicationIndexFetch(options: ReplicationIndexFetchOptions): LibsqlFetch {
  const { tracker, timeoutMs } = options;
  return async (input: Request, init?: RequestInit): Promise<Response> => {
    const baseFetch: LibsqlFetch = options.fetch ?? globalThis.fetch;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = withAttemptSignal(deadline, options.signal?.());
    const explain = (error: unknown): unknown =>
      deadline.aborted && isTimeoutReason(deadline.reason)
        ? new EdgeDbError(
            'TIMEOUT',
            `libSQL request to ${input.url} got no complete answer within ${timeoutMs} ms. ` +
              'Check that the server is reachable, or raise requestTimeoutMs.',
            { cause: error },
          )
        : error;
    try {
      const request = await withRequiredIndex(input, tracker.required);
      const response = await baseFetch(request, { ...init, signal });
      return await observeIndexes(response, tracker, explain);
    } catch (error) {
      throw explain(error);
    }
  };
}

/** The deadline, aborted also by the statement's own signal (where the runtime has `AbortSignal.any`). */
function withAttemptSignal(deadline: AbortSignal, attempt: AbortSignal | undefined): AbortSignal {
  if (attempt === undefined) return deadline;
  const any = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  return any === undefined ? deadline : any([deadline, attempt]);
}

function isTimeoutReason(reason: unknown): boolean {
  return (
    typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError'
  );
}

function isJson(headers: Headers): boolean {
  return (headers.get('content-type') ?? '').toLowerCase().startsWith('application/json');
}

async function withRequiredIndex(request: Request, required: bigint | undefined): Promise<Request> {
  if (required === undefined || !isJson(request.headers)) return request;
  const body: unknown = JSON.parse(await request.text());
  injectReplicationIndex(body, required.toString());
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: JSON.stringify(body),
  });
}

/**
 * Sets `replication_index` on each Stmt/Batch of a Hrana pipeline body (`{requests: [...]}`) or cursor body
 * (`{batch}`). Mutates `body`.
 */
function injectReplicationIndex(body: unknown, index: string): void {
  if (!isObject(body)) return;
  if (isObject(body.batch)) body.batch.replication_index = index;
  if (!Array.isArray(body.requests)) return;
  for (const request of body.requests) {
    if (!isObject(request)) continue;
    if (request.type === 'execute' && isObject(request.stmt)) request.stmt.replication_index = index;
    if (request.type === 'batch' && isObject(request.batch)) request.batch.replication_index = index;
  }
}

async function observeIndexes(
  response: Response,
  tracker: ReplicationIndexTracker,
  explain: (error: unknown) => unknown,
): Promise<Response> {
  // Bodies the client reads itself (Hrana cursor streams of `/v3/cursor`, protobuf, error responses) are
  // read after this function returns: map a missed deadline while they stream, like the JSON path does.
  if (!response.ok || !isJson(response.headers)) return withExplainedBody(response, explain);
  // Read the body here so the deadline covers it, then hand the client an equivalent response.
  const text = await response.text();
  const highest = highestReplicationIndex(JSON.parse(text));
  if (highest !== undefined) tracker.observe(highest);
  return new Response(text, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** `response` with a body whose read errors go through `explain` (an abort becomes `TIMEOUT`). */
function withExplainedBody(response: Response, explain: (error: unknown) => unknown): Response {
  const body = response.body;
  if (body === null) return response;
  const reader = body.getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(explain(error));
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(stream, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/**
 * The highest `replication_index` in a Hrana pipeline response body (`{results: [...]}`), looking at every
 * StmtResult (`execute`) and BatchResult (`batch`, and its step results). `undefined` when none carries one.
 */
function highestReplicationIndex(body: unknown): bigint | undefined {
  let highest: bigint | undefined;
  const consider = (value: unknown): void => {
    const index = parseIndex(value);
    if (index !== undefined && (highest === undefined || index > highest)) highest = index;
  };
  if (!isObject(body) || !Array.isArray(body.results)) return undefined;
  for (const streamResult of body.results) {
    if (!isObject(streamResult) || streamResult.type !== 'ok' || !isObject(streamResult.response)) continue;
    const result = streamResult.response.result;
    if (!isObject(result)) continue;
    consider(result.replication_index);
    if (Array.isArray(result.step_results)) {
      for (const step of result.step_results) if (isObject(step)) consider(step.replication_index);
    }
  }
  return highest;
}

/** sqld writes the u64 as a JSON string; accept a safe JSON number too. Beyond 2^64-1 is no index: ignored. */
function parseIndex(value: unknown): bigint | undefined {
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) {
    const index = BigInt(value);
    return index <= U64_MAX ? index : undefined;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
