import { HranaError } from './hrana-error.js';
import type { HranaStreamRequest, HranaStreamResult } from './hrana-types.js';

/** Hrana code of a forwarded request the primary could not be reached for (sqld's `PROXY_ERROR`). */
export const PROXY_ERROR_CODE = 'PROXY_ERROR';

/**
 * Sends a replica stream's requests to the primary over Hrana HTTP (`/v2/pipeline`), the way sqld replicas
 * forward writes. Each call has a deadline; a primary that does not answer in time, refuses the connection
 * or answers with an error status fails the call with a {@link HranaError}.
 *
 * ### Examples
 * ```ts
 * const forwarder = new PrimaryForwarder('http://127.0.0.1:8080', undefined, 10_000)
 * const { baton, results } = await forwarder.pipeline(null, [{ type: 'execute', stmt: { sql: 'insert ...' } }])
 * ```
 */
export class PrimaryForwarder {
  readonly #url: string;
  readonly #authToken: string | undefined;
  readonly #timeoutMs: number;

  constructor(primaryUrl: string, authToken: string | undefined, timeoutMs: number) {
    this.#url = primaryUrl.replace(/\/$/, '');
    this.#authToken = authToken;
    this.#timeoutMs = timeoutMs;
  }

  /** Runs `requests` on the primary stream `baton` continues (a new stream when `null`). */
  async pipeline(
    baton: string | null,
    requests: readonly HranaStreamRequest[],
  ): Promise<{ readonly baton: string | null; readonly results: HranaStreamResult[] }> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.#url}/v2/pipeline`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.#authToken === undefined ? {} : { authorization: `Bearer ${this.#authToken}` }),
        },
        body: JSON.stringify({ baton, requests }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new HranaError(
        PROXY_ERROR_CODE,
        `error executing a request on the primary (${this.#url}): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    let body: { baton?: string | null; results?: HranaStreamResult[]; message?: string; code?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new HranaError(
        PROXY_ERROR_CODE,
        `the primary answered ${response.status} with a body that is not JSON`,
      );
    }
    if (!response.ok || !Array.isArray(body.results)) {
      throw new HranaError(
        body.code ?? PROXY_ERROR_CODE,
        `the primary refused the forwarded request (${response.status}): ${body.message ?? text.slice(0, 200)}`,
      );
    }
    return { baton: body.baton ?? null, results: body.results };
  }
}
