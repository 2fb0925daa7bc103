import { describe, expect, it } from 'vitest';
import { createReplicationIndexFetch } from '../../../../src/drivers/libsql/replication-index-fetch.js';
import { ReplicationIndexTracker } from '../../../../src/drivers/libsql/replication-index-tracker.js';
import { isEdgeDbError } from '../../../../src/errors/edge-db-error.js';

const cursorUrl = 'http://libsql.test/v3/cursor';

/** A cursor request as the Hrana client sends it. */
function cursorRequest(): Request {
  return new Request(cursorUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ baton: null, batch: { steps: [] } }),
  });
}

/** A 200 with a non-JSON streamed body: `chunks` at once, then stalls until aborted (or ends when `complete`). */
function streamingFetch(chunks: string[], options: { complete: boolean }) {
  return async (_input: Request, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal ?? undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        if (options.complete) controller.close();
        else signal?.addEventListener('abort', () => controller.error(signal.reason));
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/plain' } });
  };
}

describe('createReplicationIndexFetch: streamed bodies', () => {
  it('turns a missed deadline while a cursor body streams into TIMEOUT', async () => {
    const fetch = createReplicationIndexFetch({
      tracker: new ReplicationIndexTracker(),
      timeoutMs: 30,
      fetch: streamingFetch(['{"baton":null}\n'], { complete: false }),
    });
    const response = await fetch(cursorRequest());
    expect(response.status).toBe(200);
    const error = await response.text().catch((e: unknown) => e);
    expect(isEdgeDbError(error, 'TIMEOUT')).toBe(true);
    expect((error as Error).message).toContain(cursorUrl);
    expect((error as Error).cause).toMatchObject({ name: 'TimeoutError' });
  });

  it('passes a complete streamed body through unchanged, status and headers included', async () => {
    const fetch = createReplicationIndexFetch({
      tracker: new ReplicationIndexTracker(),
      timeoutMs: 5_000,
      fetch: streamingFetch(['{"baton":null}\n', '{"type":"step_begin"}\n'], { complete: true }),
    });
    const response = await fetch(cursorRequest());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(await response.text()).toBe('{"baton":null}\n{"type":"step_begin"}\n');
  });

  it('passes other body errors through unchanged', async () => {
    const failure = new Error('connection reset');
    const fetch = createReplicationIndexFetch({
      tracker: new ReplicationIndexTracker(),
      timeoutMs: 5_000,
      fetch: async () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              controller.error(failure);
            },
          }),
          { status: 200, headers: { 'content-type': 'text/plain' } },
        ),
    });
    const response = await fetch(cursorRequest());
    await expect(response.text()).rejects.toBe(failure);
  });
});
