import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clusterHash,
  decodeToken,
  encodeToken,
  importTokenSecret,
} from '../../../src/consistency/consistency-token.js';
import {
  consistencyToken,
  EdgeDbError,
  mergeTokens,
  readToken,
  resetClusterState,
  sessionInfo,
  withToken,
} from '../../../src/index.js';
import { recordedRouter } from '../../support/recorded-router.js';
import { fakeCluster } from '../../support/recording-dialect.js';

interface DB {
  person: { id: number; name: string };
}

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
afterEach(() => resetClusterState());

describe('token codec', () => {
  it('round-trips signed and unsigned tokens', async () => {
    const key = await importTokenSecret(SECRET);
    const payload = {
      cluster: clusterHash('c'),
      family: 'postgres' as const,
      position: 0x16b374d48n,
      issuedAt: 1_700_000_000,
    };
    const unsigned = await encodeToken(payload);
    const signed = await encodeToken(payload, key);
    expect(unsigned).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(signed).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(signed.length).toBeLessThan(64);
    expect(await decodeToken(unsigned, { cluster: clusterHash('c') })).toEqual(payload);
    expect(await decodeToken(signed, { key, cluster: clusterHash('c'), family: 'postgres' })).toEqual(
      payload,
    );
  });

  it('rejects altered, unsigned, foreign and other-cluster tokens with typed errors', async () => {
    const key = await importTokenSecret(SECRET);
    const other = await importTokenSecret(`${SECRET}-other`);
    const payload = { cluster: clusterHash('c'), family: 'libsql' as const, position: 42n, issuedAt: 1 };
    const signed = await encodeToken(payload, key);
    const [body, mac] = signed.split('.') as [string, string];
    const flipped = `${body.slice(0, 5)}${body[5] === 'A' ? 'B' : 'A'}${body.slice(6)}.${mac}`;
    await expect(decodeToken(flipped, { key })).rejects.toMatchObject({ code: 'TOKEN_SIGNATURE_INVALID' });
    await expect(decodeToken(body, { key })).rejects.toMatchObject({ code: 'TOKEN_SIGNATURE_INVALID' });
    await expect(decodeToken(await encodeToken(payload, other), { key })).rejects.toMatchObject({
      code: 'TOKEN_SIGNATURE_INVALID',
    });
    await expect(decodeToken(signed, { key, cluster: clusterHash('d') })).rejects.toMatchObject({
      code: 'TOKEN_CLUSTER_MISMATCH',
    });
    await expect(decodeToken(signed, { key, family: 'postgres' })).rejects.toMatchObject({
      code: 'TOKEN_CLUSTER_MISMATCH',
    });
    await expect(decodeToken(`Z${body.slice(1)}`, {})).rejects.toMatchObject({ code: 'TOKEN_MALFORMED' });
  });

  it('never throws anything but a typed token error, whatever the input (fuzzed)', async () => {
    const key = await importTokenSecret(SECRET);
    const valid = await encodeToken({ cluster: 1n, family: 'postgres', position: 5n, issuedAt: 0 }, key);
    const inputs = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom(...'ABCDEFabcdef0123456789-_.'.split('')) }),
      fc.uint8Array().map((b) => Buffer.from(b).toString('base64url')),
      fc.nat({ max: valid.length }).map((n) => valid.slice(0, n)),
      fc
        .tuple(fc.nat({ max: valid.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }))
        .map(([i, c]) => valid.slice(0, i) + c + valid.slice(i + 1)),
    );
    let count = 0;
    await fc.assert(
      fc.asyncProperty(inputs, async (input) => {
        count++;
        try {
          const payload = await decodeToken(input, { key, cluster: 1n });
          // only the genuine token may decode
          expect(input).toBe(valid);
          expect(payload.position).toBe(5n);
        } catch (error) {
          expect(error).toBeInstanceOf(EdgeDbError);
          expect(['TOKEN_MALFORMED', 'TOKEN_SIGNATURE_INVALID', 'TOKEN_CLUSTER_MISMATCH']).toContain(
            (error as EdgeDbError).code,
          );
        }
      }),
      { numRuns: 2000 },
    );
    expect(count).toBeGreaterThanOrEqual(2000);
  });

  it('merges tokens keeping the newer', async () => {
    const older = await encodeToken({ cluster: 1n, family: 'postgres', position: 5n, issuedAt: 0 });
    const newer = await encodeToken({ cluster: 1n, family: 'postgres', position: 9n, issuedAt: 0 });
    expect(await mergeTokens(older, newer)).toBe(newer);
    expect(await mergeTokens(newer, older)).toBe(newer);
    expect(await mergeTokens('garbage!', older)).toBe(older);
    expect(await mergeTokens(undefined, undefined)).toBeUndefined();
  });
});

describe('token transport', () => {
  it('reads the header first, then the cookie, and ignores junk', () => {
    expect(readToken(new Request('http://x', { headers: { 'x-edge-db-token': 'abc.def' } }))).toBe('abc.def');
    expect(readToken(new Request('http://x', { headers: { cookie: 'a=1; edge_db_token=tok_1; b=2' } }))).toBe(
      'tok_1',
    );
    expect(
      readToken(new Request('http://x', { headers: { cookie: 'edge_db_token=<script>' } })),
    ).toBeUndefined();
    expect(readToken(new Request('http://x'))).toBeUndefined();
  });

  it('attaches a token to a response as header and cookie', async () => {
    const response = withToken(new Response('ok', { status: 201 }), 'tok');
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('ok');
    expect(response.headers.get('x-edge-db-token')).toBe('tok');
    expect(response.headers.get('set-cookie')).toContain(
      'edge_db_token=tok; Path=/; Max-Age=3600; SameSite=Lax; HttpOnly; Secure',
    );
  });
});

describe('sessions across instances', () => {
  function instance(fake: ReturnType<typeof fakeCluster>, token?: string, extra: object = {}) {
    return recordedRouter<DB>(fake, 'tokens-test', { consistency: { token, secret: SECRET, ...extra } });
  }

  it('carries read-your-writes to another instance through a token', async () => {
    const fake = fakeCluster(1);
    const writer = instance(fake);
    await writer.db.insertInto('person').values({ id: 1, name: 'a' }).execute();
    const token = await consistencyToken(writer.db);
    expect(token).toBeDefined();
    const reader = instance(fake, token);
    await reader.db.selectFrom('person').selectAll().execute();
    // the replica is behind the write: the reader must not be served by it
    expect(reader.events.at(-1)?.node).toBe('primary');
    fake.cluster.node('replica-0').position = fake.cluster.primaryPosition;
    await reader.db.selectFrom('person').select('id').execute();
    expect(reader.events.at(-1)?.node).toBe('replica-0');
  });

  it('ignores forged tokens by default and reports why', async () => {
    const fake = fakeCluster(1);
    const forged = await encodeToken({
      cluster: clusterHash('tokens-test'),
      family: 'postgres',
      position: 10n,
      issuedAt: 0,
    });
    const reader = instance(fake, forged);
    expect((await sessionInfo(reader.db)).tokenError).toMatchObject({ code: 'TOKEN_SIGNATURE_INVALID' });
    expect((await sessionInfo(reader.db)).requiredPosition).toBeUndefined();
  });

  it('throws on invalid tokens when asked to', async () => {
    const fake = fakeCluster(1);
    const reader = instance(fake, 'not-a-token', { onInvalidToken: 'throw' });
    await expect(reader.db.selectFrom('person').selectAll().execute()).rejects.toMatchObject({
      code: 'TOKEN_MALFORMED',
    });
  });

  it('rewinds an absurd position after the primary proves it is from the future, never reading a stale replica', async () => {
    const fake = fakeCluster(1);
    const key = await importTokenSecret(SECRET);
    const future = await encodeToken(
      {
        cluster: clusterHash('tokens-test'),
        family: 'postgres',
        position: 2n ** 64n - 1n,
        issuedAt: Date.now() / 1000,
      },
      key,
    );
    const reader = instance(fake, future);
    await reader.db.selectFrom('person').selectAll().execute();
    expect(reader.events.at(-1)?.attempts.map((a) => `${a.node}:${a.outcome}`)).toEqual([
      'replica-0:behind',
      'primary:ok',
    ]);
    // the primary is at position 0: the requirement is rewound to it and replicas serve again
    await reader.db.selectFrom('person').select('id').execute();
    expect(reader.events.at(-1)?.node).toBe('replica-0');
  });
});
