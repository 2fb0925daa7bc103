import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ConsistencyTokenPayload,
  decodeToken,
  encodeToken,
  importTokenSecret,
  MAX_TOKEN_TRANSACTIONS,
} from '../../../src/consistency/consistency-token.js';
import { mergeTokens } from '../../../src/consistency/merge-tokens.js';
import { isEdgeDbError } from '../../../src/errors/edge-db-error.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const base = { cluster: 42n, family: 'postgres' as const, issuedAt: 1_800_000_000 };

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const payload: fc.Arbitrary<ConsistencyTokenPayload> = fc
  .record({
    position: fc.bigInt({ min: 0n, max: 2n ** 40n }),
    transactions: fc.uniqueArray(fc.bigInt({ min: 1n, max: 2n ** 40n }), {
      maxLength: MAX_TOKEN_TRANSACTIONS,
    }),
    pending: fc.boolean(),
  })
  .map(({ position, transactions, pending }) => ({
    ...base,
    position,
    ...(transactions.length === 0 ? {} : { transactions }),
    ...(pending ? { pending: true } : {}),
  }));

/** What a session started from the token must read: a position, ids, or "learn from the primary first". */
function requirement(p: ConsistencyTokenPayload) {
  return { position: p.position, transactions: new Set(p.transactions ?? []), pending: p.pending === true };
}

/** True when a session started from `merged` reads at least what one started from `part` would. */
function satisfies(merged: ConsistencyTokenPayload, part: ConsistencyTokenPayload): boolean {
  const m = requirement(merged);
  const p = requirement(part);
  if (m.position < p.position) return false;
  // A pending session learns the primary's position first: past every write that had committed.
  if (m.pending) return true;
  if (p.pending) return false;
  return [...p.transactions].every((t) => m.transactions.has(t));
}

describe('tokens carrying PostgreSQL transaction ids (version 3)', () => {
  it('round-trips position, ids and the pending flag, signed and unsigned', async () => {
    const key = await importTokenSecret(SECRET);
    await fc.assert(
      fc.asyncProperty(payload, fc.boolean(), async (p, signed) => {
        const token = await encodeToken(p, signed ? key : undefined);
        expect(token.length).toBeLessThanOrEqual(400);
        const decoded = await decodeToken(token, signed ? { key } : {});
        expect(decoded).toEqual(p);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the compact version-1 token when there are no ids', async () => {
    const token = await encodeToken({ ...base, position: 123n });
    expect(token).toHaveLength(30);
  });

  it('refuses more ids than a token holds, and ids beyond 64 bits', async () => {
    const many = Array.from({ length: MAX_TOKEN_TRANSACTIONS + 1 }, (_, i) => BigInt(i + 1));
    await expect(encodeToken({ ...base, position: 1n, transactions: many })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
    });
    await expect(encodeToken({ ...base, position: 1n, transactions: [2n ** 64n] })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
    });
  });

  it('rejects every truncation and every flipped flag of a version-3 token as TOKEN_MALFORMED', async () => {
    const token = await encodeToken({ ...base, position: 7n, transactions: [5n, 9n] });
    for (let n = 1; n < token.length; n++) {
      const cut = token.slice(0, n);
      const error = await decodeToken(cut, {}).then(
        () => undefined,
        (e: unknown) => e,
      );
      // A cut that is still valid base64url of a shorter payload must still be refused.
      expect(isEdgeDbError(error, 'TOKEN_MALFORMED'), `cut at ${n}`).toBe(true);
    }
  });

  it('rejects random bytes with a typed error only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 200 }), async (bytes) => {
        const text = Buffer.from([3, ...bytes]).toString('base64url');
        const outcome = await decodeToken(text, {}).then(
          () => 'ok',
          (e: unknown) => (isEdgeDbError(e) ? e.code : 'untyped'),
        );
        expect(['ok', 'TOKEN_MALFORMED']).toContain(outcome);
      }),
      { numRuns: 300 },
    );
  });
});

describe('mergeTokens with transaction ids', () => {
  it('is sound: a session from the merge reads what each input requires (unsigned)', async () => {
    await fc.assert(
      fc.asyncProperty(payload, payload, async (a, b) => {
        const merged = await mergeTokens(await encodeToken(a), await encodeToken(b));
        const m = await decodeToken(merged!, {});
        expect(satisfies(m, a)).toBe(true);
        expect(satisfies(m, b)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('is sound for signed tokens when given the secret, and the result verifies', async () => {
    const key = await importTokenSecret(SECRET);
    await fc.assert(
      fc.asyncProperty(payload, payload, async (a, b) => {
        const merged = await mergeTokens(await encodeToken(a, key), await encodeToken(b, key), {
          secret: SECRET,
        });
        const m = await decodeToken(merged!, { key });
        expect(satisfies(m, a)).toBe(true);
        expect(satisfies(m, b)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('overflowing the id bound sets pending instead of dropping a write', async () => {
    const ids = (from: number) => Array.from({ length: MAX_TOKEN_TRANSACTIONS }, (_, i) => BigInt(from + i));
    const merged = await mergeTokens(
      await encodeToken({ ...base, position: 1n, transactions: ids(1) }),
      await encodeToken({ ...base, position: 2n, transactions: ids(100) }),
    );
    expect(await decodeToken(merged!, {})).toMatchObject({ position: 2n, pending: true });
  });

  it('refuses to merge signed tokens that need a new signature without the secret', async () => {
    const key = await importTokenSecret(SECRET);
    const a = await encodeToken({ ...base, position: 1n, transactions: [10n] }, key);
    const b = await encodeToken({ ...base, position: 2n, transactions: [11n] }, key);
    await expect(mergeTokens(a, b)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    // One that covers the other needs no new signature.
    const c = await encodeToken({ ...base, position: 3n, transactions: [10n, 11n] }, key);
    expect(await mergeTokens(a, c)).toBe(c);
  });

  it('never signs a forged input: it loses', async () => {
    const key = await importTokenSecret(SECRET);
    const other = await importTokenSecret('another-secret-of-at-least-32-bytes!');
    const genuine = await encodeToken({ ...base, position: 1n, transactions: [10n] }, key);
    const forged = await encodeToken({ ...base, position: 99n, transactions: [11n] }, other);
    expect(await mergeTokens(genuine, forged, { secret: SECRET })).toBe(genuine);
  });

  it('ids survive in any order: u64 extremes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(u64, { minLength: 1, maxLength: 8 }), async (ids) => {
        const token = await encodeToken({ ...base, position: 0n, transactions: ids });
        expect((await decodeToken(token, {})).transactions).toEqual(ids);
      }),
      { numRuns: 100 },
    );
  });
});
