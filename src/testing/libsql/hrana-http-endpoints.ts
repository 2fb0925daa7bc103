import type { ConnectionPool } from './connection-pool.js';
import { cursorEntries, type HranaCursorEntry } from './hrana-cursor-entries.js';
import { toHranaErrorBody } from './hrana-error.js';
import type { HranaPipelineHandler } from './hrana-pipeline-handler.js';
import { HranaStream, type HranaStreamStore } from './hrana-stream-store.js';
import type { HranaBatch, HranaPipelineRequest, HranaPipelineResponse } from './hrana-types.js';
import { type Answer, jsonAnswer } from './http-answer.js';

/**
 * Hrana over HTTP: `POST /v2/pipeline`, `/v3/pipeline` and `/v3/cursor` on top of the pipeline handler,
 * with single-use batons that continue a stream.
 */
export class HranaHttpEndpoints {
  readonly #pool: ConnectionPool;
  readonly #streams: HranaStreamStore;
  readonly #handler: HranaPipelineHandler;
  readonly #idleTimeoutMs: number;

  constructor(
    pool: ConnectionPool,
    streams: HranaStreamStore,
    handler: HranaPipelineHandler,
    idleTimeoutMs: number,
  ) {
    this.#pool = pool;
    this.#streams = streams;
    this.#handler = handler;
    this.#idleTimeoutMs = idleTimeoutMs;
  }

  /** `POST /v2/pipeline` and `/v3/pipeline`. */
  async pipeline(body: Buffer): Promise<Answer> {
    const parsed = parseJson<HranaPipelineRequest>(body);
    if (parsed === undefined) return notJson();
    if (parsed === null || typeof parsed !== 'object' || !Array.isArray(parsed.requests)) {
      return jsonAnswer(400, { message: 'The pipeline body needs a `requests` array', code: 'PROTO_ERROR' });
    }
    const stream = this.#take(parsed.baton);
    if (stream === undefined) return this.#expired();
    const results = await this.#handler.run(stream, parsed.requests);
    const response: HranaPipelineResponse = { baton: this.#park(stream), base_url: null, results };
    return jsonAnswer(200, response);
  }

  /** `POST /v3/cursor`: the batch's entries as JSON lines after a head line with the baton. */
  async cursor(body: Buffer): Promise<Answer> {
    const parsed = parseJson<{ baton?: string | null; batch?: HranaBatch }>(body);
    if (parsed === undefined) return notJson();
    if (parsed?.batch === undefined || !Array.isArray(parsed.batch.steps)) {
      return jsonAnswer(400, {
        message: 'The cursor body needs a `batch` with `steps`',
        code: 'PROTO_ERROR',
      });
    }
    const stream = this.#take(parsed.baton);
    if (stream === undefined) return this.#expired();
    let entries: HranaCursorEntry[];
    try {
      entries = cursorEntries(await this.#handler.runBatch(stream, parsed.batch));
    } catch (error) {
      entries = [{ type: 'error', error: toHranaErrorBody(error) }];
    }
    const head = { baton: this.#park(stream), base_url: null };
    return {
      status: 200,
      contentType: 'text/plain',
      body: `${[head, ...entries].map((line) => JSON.stringify(line)).join('\n')}\n`,
    };
  }

  #take(baton: string | null | undefined): HranaStream | undefined {
    if (baton === null || baton === undefined) return new HranaStream(this.#pool);
    return this.#streams.take(baton);
  }

  #park(stream: HranaStream): string | null {
    if (stream.closed) return null;
    stream.releaseIdleConnection();
    return this.#streams.park(stream);
  }

  #expired(): Answer {
    return jsonAnswer(400, {
      message: `The stream has expired (idle for more than ${this.#idleTimeoutMs} ms) or the baton is invalid; open a new stream`,
      code: 'STREAM_EXPIRED',
    });
  }
}

function parseJson<T>(body: Buffer): T | undefined {
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

function notJson(): Answer {
  return jsonAnswer(400, { message: 'The request body is not valid JSON', code: 'PROTO_ERROR' });
}
