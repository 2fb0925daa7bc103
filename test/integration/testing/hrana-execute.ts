/**
 * Runs one statement on a libSQL node over Hrana-over-HTTP (`POST /v2/pipeline`, execute then close), with
 * `token` as the bearer token; answers the execute request's result (`{ type: 'ok', response }` or an error).
 */
export async function hranaExecute(url: string, token: string, stmt: Record<string, unknown>): Promise<any> {
  const response = await fetch(`${url}/v2/pipeline`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ baton: null, requests: [{ type: 'execute', stmt }, { type: 'close' }] }),
    signal: AbortSignal.timeout(15_000),
  });
  return ((await response.json()) as { results: any[] }).results[0];
}
