import { EdgeDbError } from '../../errors/edge-db-error.js';

/**
 * The Hrana-over-HTTP pipeline body that makes a `sqld` node report its replication index: one trivial
 * read (`StmtResult.replication_index` is the node's WAL frame number) and a `close` of the stream.
 *
 * ### Examples
 * ```ts
 * await fetch(`${url}/v2/pipeline`, { method: 'POST', body: JSON.stringify(replicationIndexPipeline()) })
 * ```
 */
export function replicationIndexPipeline(): unknown {
  return {
    baton: null,
    requests: [{ type: 'execute', stmt: { sql: 'select 1', want_rows: false } }, { type: 'close' }],
  };
}

/**
 * Reads `replication_index` (a u64 as a JSON string, or absent on a node that has written nothing) from
 * the answer to {@link replicationIndexPipeline}. Absent means 0. Throws `EdgeDbError` `UNSUPPORTED` when
 * the answer is not a successful execute result, naming what came back.
 *
 * ### Examples
 * ```ts
 * parseReplicationIndex({ results: [{ type: 'ok', response: { type: 'execute', result: { replication_index: '7' } } }] }) // 7n
 * ```
 */
export function parseReplicationIndex(body: unknown): bigint {
  const first = (body as { results?: unknown[] } | null)?.results?.[0] as
    | {
        type?: string;
        response?: { type?: string; result?: { replication_index?: unknown } };
        error?: unknown;
      }
    | undefined;
  const result =
    first?.type === 'ok' && first.response?.type === 'execute' ? first.response.result : undefined;
  if (result === undefined) {
    throw new EdgeDbError(
      'UNSUPPORTED',
      `The libSQL server did not answer the replication-index probe with an execute result: ${JSON.stringify(first ?? body)}.`,
    );
  }
  const index = result.replication_index;
  if (index === undefined || index === null) return 0n;
  if (
    (typeof index === 'string' && /^\d+$/.test(index)) ||
    (typeof index === 'number' && Number.isSafeInteger(index))
  ) {
    return BigInt(index);
  }
  throw new EdgeDbError(
    'UNSUPPORTED',
    `The libSQL server reported replication_index ${JSON.stringify(index)}, not a u64.`,
  );
}

/**
 * Asks the node at `baseUrl` for its replication index, within `timeoutMs`. Internal to the containers provider.
 */
export async function fetchReplicationIndex(baseUrl: string, timeoutMs = 5_000): Promise<bigint> {
  const response = await fetch(`${baseUrl}/v2/pipeline`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(replicationIndexPipeline()),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new EdgeDbError(
      'UNSUPPORTED',
      `The libSQL server answered the replication-index probe with ${response.status}: ${text}`,
    );
  }
  return parseReplicationIndex(JSON.parse(text) as unknown);
}
