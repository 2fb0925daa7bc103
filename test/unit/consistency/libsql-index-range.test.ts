import { describe, expect, it } from 'vitest';
import { createReplicationIndexFetch, ReplicationIndexTracker } from '../../../src/drivers/libsql/index.js';

// Issue 14.7: a libSQL replication index is an unsigned 64-bit WAL frame number. A server reporting more
// (a bug, a proxy, a forged response) must not become a session position that wraps or breaks tokens.

async function observed(index: string): Promise<bigint | undefined> {
  const tracker = new ReplicationIndexTracker();
  const body = {
    results: [{ type: 'ok', response: { type: 'execute', result: { replication_index: index } } }],
  };
  const fetch = createReplicationIndexFetch({
    tracker,
    timeoutMs: 5_000,
    fetch: async () =>
      new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
  });
  const response = await fetch(new Request('http://libsql.test/v2/pipeline', { method: 'POST', body: '{}' }));
  await response.text();
  return tracker.highest;
}

describe('libSQL replication indexes', () => {
  it('accepts indexes up to 2^64-1 and ignores larger ones instead of wrapping them', async () => {
    expect(await observed('18446744073709551615')).toBe(2n ** 64n - 1n);
    expect(await observed('18446744073709551621')).toBeUndefined();
    expect(await observed('99999999999999999999')).toBeUndefined();
  });
});
