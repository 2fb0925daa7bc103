import { neonConfig } from '@neondatabase/serverless';
import { CompiledQuery } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { NeonDialectConfig } from '../../../../src/drivers/neon/neon-dialect-config.js';
import { NeonHttpConnection } from '../../../../src/drivers/neon/neon-http-connection.js';
import { isEdgeDbError } from '../../../../src/errors/edge-db-error.js';

type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

const url = 'postgresql://u:p@example.test/db';
/** One SQL-over-HTTP result: a single int4 column `n` with the text value '7'. */
const intResult = { command: 'SELECT', rowCount: 1, fields: [{ name: 'n', dataTypeID: 23 }], rows: [['7']] };

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

/** Scripts `neonConfig.fetchFunction` (global to the Neon driver); restored after each test. */
function scriptFetch(fetchFunction: FetchFunction): void {
  (neonConfig as { fetchFunction: unknown }).fetchFunction = fetchFunction;
}

const customTypes = {
  getTypeParser: (oid: number) => (value: string) => `custom(${oid}:${value})`,
} as unknown as NonNullable<NeonDialectConfig['types']>;

describe('NeonHttpConnection', () => {
  const original = neonConfig.fetchFunction;
  afterEach(() => {
    neonConfig.fetchFunction = original;
  });

  it('parses values with the configured types for a single statement', async () => {
    scriptFetch(async () => json(intResult));
    const http = new NeonHttpConnection({ url, types: customTypes });
    const { rows } = await http.execute(CompiledQuery.raw('select 7 as n'));
    expect(rows).toEqual([{ n: 'custom(23:7)' }]);
  });

  it('parses values with the configured types for every query of a batch', async () => {
    scriptFetch(async () => json({ results: [intResult, intResult] }));
    const http = new NeonHttpConnection({ url, types: customTypes });
    const results = await http.executeBatch(
      [CompiledQuery.raw('select 7 as n'), CompiledQuery.raw('select 7 as n')],
      { readOnly: true },
    );
    expect(results.map((result) => result.rows)).toEqual([[{ n: 'custom(23:7)' }], [{ n: 'custom(23:7)' }]]);
  });

  it('keeps the default parsers without configured types', async () => {
    scriptFetch(async () => json(intResult));
    const http = new NeonHttpConnection({ url });
    const { rows } = await http.execute(CompiledQuery.raw('select 7 as n'));
    expect(rows).toEqual([{ n: 7 }]);
  });

  /** Headers arrive at once; the body stalls mid-reply and fails with the abort reason when aborted. */
  const stallingBody: FetchFunction = async (_url, init) => {
    const signal = init.signal as AbortSignal;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"command":"SELECT",'));
        signal.addEventListener('abort', () => controller.error(signal.reason));
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  };

  it('reports TIMEOUT when the deadline expires while the body of a statement is read', async () => {
    scriptFetch(stallingBody);
    const http = new NeonHttpConnection({ url, requestTimeoutMs: 50 });
    const attempt = http.execute(CompiledQuery.raw('select 1'));
    await expect(attempt).rejects.toSatisfy((error) => isEdgeDbError(error, 'TIMEOUT'));
    await expect(attempt).rejects.toThrow(/within 50 ms/);
  });

  it('reports TIMEOUT when the deadline expires while the body of a batch is read', async () => {
    scriptFetch(stallingBody);
    const http = new NeonHttpConnection({ url, requestTimeoutMs: 50 });
    const attempt = http.executeBatch([CompiledQuery.raw('select 1')], {});
    await expect(attempt).rejects.toSatisfy((error) => isEdgeDbError(error, 'TIMEOUT'));
  });

  it('reports TIMEOUT when the deadline expires before the response arrives', async () => {
    scriptFetch(
      (_url, init) =>
        new Promise((_resolve, reject) => {
          const signal = init.signal as AbortSignal;
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    );
    const http = new NeonHttpConnection({ url, requestTimeoutMs: 50 });
    await expect(http.execute(CompiledQuery.raw('select 1'))).rejects.toSatisfy((error) =>
      isEdgeDbError(error, 'TIMEOUT'),
    );
  });

  it('passes other failures through unchanged', async () => {
    const failure = new TypeError('body is not JSON');
    scriptFetch(async () => {
      throw failure;
    });
    const http = new NeonHttpConnection({ url, requestTimeoutMs: 5_000 });
    await expect(http.execute(CompiledQuery.raw('select 1'))).rejects.toSatisfy(
      (error) => !isEdgeDbError(error, 'TIMEOUT'),
    );
  });
});
