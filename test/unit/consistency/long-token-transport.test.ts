import { describe, expect, it } from 'vitest';
import { clusterHash, encodeToken, importTokenSecret } from '../../../src/consistency/consistency-token.js';
import { readToken, withToken } from '../../../src/index.js';

// A D1 token carries the whole bookmark (version 2, about 130 characters signed): the cookie and header
// helpers must carry it like the short ones.

describe('readToken and withToken with a token that carries a D1 bookmark', () => {
  it('round-trips through the cookie and the header', async () => {
    const bookmark = `0000002a-0000024c-00004c6d-${'8e61117bf38d7adb71b934ebbf891683'}`;
    const token = await encodeToken(
      {
        cluster: clusterHash('d1:shop'),
        family: 'd1',
        position: 0x0000002a0000024c00004c6dn,
        positionText: bookmark,
        issuedAt: 1_700_000_000,
      },
      await importTokenSecret('a-test-secret-that-is-long-enough-0123456789'),
    );
    expect(token.length).toBeGreaterThan(64);
    const response = withToken(new Response('ok'), token);
    const cookie = /edge_db_token=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
    expect(readToken(new Request('http://x/', { headers: { cookie: `edge_db_token=${cookie}` } }))).toBe(
      token,
    );
    expect(readToken(new Request('http://x/', { headers: { 'x-edge-db-token': token } }))).toBe(token);
  });
});
