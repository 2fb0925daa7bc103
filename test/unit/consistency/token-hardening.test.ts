import { afterEach, describe, expect, it } from 'vitest';
import {
  clusterHash,
  decodeToken,
  encodeToken,
  importTokenSecret,
} from '../../../src/consistency/consistency-token.js';
import { resetClusterState, sessionInfo } from '../../../src/index.js';
import { recordedRouter } from '../../support/recorded-router.js';
import { fakeCluster } from '../../support/recording-dialect.js';

// Issue 14.7 and 19.4: tokens that were accepted although they should not be.

interface DB {
  person: { id: number; name: string };
}

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const CLUSTER = 'token-hardening';
const DAY = 86_400;
afterEach(() => resetClusterState());

function instance(fake: ReturnType<typeof fakeCluster>, consistency: object, now = Date.now(), extra = {}) {
  return recordedRouter<DB>(fake, CLUSTER, {
    consistency: { secret: SECRET, ...consistency },
    now: () => now,
    ...extra,
  });
}

async function tokenAt(position: bigint, issuedAt: number, secret = true): Promise<string> {
  const key = secret ? await importTokenSecret(SECRET) : undefined;
  return encodeToken({ cluster: clusterHash(CLUSTER), family: 'postgres', position, issuedAt }, key);
}

describe('token age (consistency.tokenMaxAgeSeconds, default one day)', () => {
  it('ignores a token issued longer ago than the maximum age, with TOKEN_EXPIRED', async () => {
    const fake = fakeCluster(1);
    const issuedAt = 1_700_000_000;
    const stale = await tokenAt(5n, issuedAt);
    const fresh = instance(fake, { token: stale }, (issuedAt + 60) * 1000);
    expect((await sessionInfo(fresh.db)).requiredPosition).toBe('5');
    const old = instance(fake, { token: stale }, (issuedAt + DAY + 60) * 1000);
    const info = await sessionInfo(old.db);
    expect(info.tokenError).toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(info.requiredPosition).toBeUndefined();
  });

  it('honours a configured maximum age and throws TOKEN_EXPIRED when asked to', async () => {
    const fake = fakeCluster(1);
    const issuedAt = 1_700_000_000;
    const token = await tokenAt(5n, issuedAt);
    const strict = instance(
      fake,
      { token, tokenMaxAgeSeconds: 30, onInvalidToken: 'throw' },
      (issuedAt + 31) * 1000,
    );
    await expect(strict.db.selectFrom('person').selectAll().execute()).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
  });
});

describe('a token from the far future', () => {
  it("does not make every read fail with NO_REPLICA_AVAILABLE under readPreference 'replica'", async () => {
    const fake = fakeCluster(1);
    const future = await tokenAt(2n ** 64n - 1n, Date.now() / 1000);
    const reader = instance(fake, { token: future }, Date.now(), { readPreference: 'replica' });
    // the primary (at 0) proves the requirement impossible: the session rewinds and the replica serves
    await expect(reader.db.selectFrom('person').selectAll().execute()).resolves.toBeInstanceOf(Array);
    expect(reader.events.at(-1)?.node).toBe('replica-0');
    expect((await sessionInfo(reader.db)).requiredPosition).toBe('0');
    await reader.db.selectFrom('person').select('id').execute();
    expect(reader.events.at(-1)?.node).toBe('replica-0');
    expect(reader.events.at(-1)?.error).toBeUndefined();
  });

  it('still fails a read that a lagging replica cannot serve when the primary has the position', async () => {
    const fake = fakeCluster(1);
    fake.cluster.primaryPosition = 20n;
    const token = await tokenAt(20n, Date.now() / 1000);
    const reader = instance(fake, { token }, Date.now(), { readPreference: 'replica' });
    await expect(reader.db.selectFrom('person').selectAll().execute()).rejects.toMatchObject({
      code: 'NO_REPLICA_AVAILABLE',
    });
    expect((await sessionInfo(reader.db)).requiredPosition).toBe('20');
  });
});

describe('positions a token cannot carry', () => {
  it('rejects a libSQL index above 2^64-1 instead of wrapping it', async () => {
    const payload = { cluster: 1n, family: 'libsql' as const, position: 2n ** 64n + 5n, issuedAt: 0 };
    await expect(encodeToken(payload)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(encodeToken({ ...payload, position: -1n })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const max = await encodeToken({ ...payload, position: 2n ** 64n - 1n });
    expect((await decodeToken(max, {})).position).toBe(2n ** 64n - 1n);
  });
});

describe('a signature part without a secret', () => {
  it('is malformed: nobody could have checked it', async () => {
    const unsigned = await tokenAt(5n, Date.now() / 1000, false);
    await expect(decodeToken(`${unsigned}.AAAAAAAAAAAAAAAAAAAAAA`, {})).rejects.toMatchObject({
      code: 'TOKEN_MALFORMED',
    });
    await expect(decodeToken(unsigned, {})).resolves.toMatchObject({ position: 5n });
  });
});

describe("onInvalidToken: 'throw'", () => {
  it('says the token was refused, not that it was ignored', async () => {
    const fake = fakeCluster(1);
    const thrower = instance(fake, { token: 'not-a-token', onInvalidToken: 'throw' });
    const error = await thrower.db
      .selectFrom('person')
      .selectAll()
      .execute()
      .catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'TOKEN_MALFORMED' });
    expect((error as Error).message).not.toMatch(/ignored/);
    expect((error as Error).message).toMatch(/onInvalidToken/);
    const ignorer = instance(fake, { token: 'not-a-token' });
    expect((await sessionInfo(ignorer.db)).tokenError?.message).toMatch(/ignored/);
  });
});
