import { EdgeDbError } from '../errors/edge-db-error.js';
import {
  type ConsistencyTokenPayload,
  decodeToken,
  encodeToken,
  MAX_TOKEN_TRANSACTIONS,
} from './consistency-token.js';
import { maxPosition } from './replication-position.js';
import { importTokenSecret } from './token-secret.js';

/** How {@link mergeTokens} may re-sign a merged token. */
export interface MergeTokensOptions {
  /**
   * The instances' `consistency.secret`: needed only to merge two signed tokens that each carry writes the
   * other does not cover (PostgreSQL writes known by transaction id); both are verified, the result is signed.
   */
  readonly secret?: string | Uint8Array | CryptoKey | undefined;
}

/**
 * Merges two tokens of one database, for a client that holds tokens from several requests: a session started
 * from the result reads at least what each of them requires.
 *
 * - When one token covers the other (a later position, and every write the other knows by transaction id),
 *   that token is returned as it is (D1 bookmarks order as strings).
 * - Otherwise a new token requires both: the later position and both sets of transaction ids (beyond
 *   {@link MAX_TOKEN_TRANSACTIONS} ids, a flag that makes the next session learn a position from the primary
 *   first). Tokens that are signed need `options.secret` for this; without it the call fails with
 *   `CONFIG_INVALID` rather than return a token that would lose a write.
 *
 * Unreadable tokens lose; tokens of different clusters keep `a`. Signatures are not checked when a token is
 * returned as it is: the session that starts from it verifies it.
 *
 * ### Examples
 * ```ts
 * const token = await mergeTokens(readToken(request), bodyToken, { secret: env.TOKEN_SECRET })
 * ```
 */
export async function mergeTokens(
  a: string | undefined,
  b: string | undefined,
  options: MergeTokensOptions = {},
): Promise<string | undefined> {
  const [left, right] = await Promise.all([safeDecode(a), safeDecode(b)]);
  if (left === undefined) return right === undefined ? undefined : b;
  if (right === undefined || right.cluster !== left.cluster || right.family !== left.family) return a;
  // Bookmarks (D1) order as strings; their positions are only a prefix of them.
  if (left.positionText !== undefined && right.positionText !== undefined) {
    return right.positionText > left.positionText ? b : a;
  }
  if (covers(left, right) && (!covers(right, left) || left.position >= right.position)) return a;
  if (covers(right, left)) return b;

  const signed = a!.includes('.') || b!.includes('.');
  let key: CryptoKey | undefined;
  let first = left;
  let second = right;
  if (signed) {
    if (options.secret === undefined) {
      throw new EdgeDbError(
        'CONFIG_INVALID',
        'mergeTokens: both signed tokens carry writes the other does not cover, and a merged token must be ' +
          'signed: pass { secret } (the instances\u2019 consistency.secret)',
      );
    }
    key = await importTokenSecret(options.secret);
    // Never sign what was not signed with this secret: a forged input loses instead.
    const [l, r] = await Promise.all([safeDecode(a, key), safeDecode(b, key)]);
    if (l === undefined) return r === undefined ? undefined : b;
    if (r === undefined) return a;
    first = l;
    second = r;
  }
  const transactions = [...new Set([...(first.transactions ?? []), ...(second.transactions ?? [])])];
  const overflow = transactions.length > MAX_TOKEN_TRANSACTIONS;
  const merged: ConsistencyTokenPayload = {
    cluster: first.cluster,
    family: first.family,
    position: maxPosition(first.position, second.position) ?? 0n,
    issuedAt: Math.max(first.issuedAt, second.issuedAt),
    ...(overflow || transactions.length === 0 ? {} : { transactions }),
    ...(overflow || first.pending === true || second.pending === true ? { pending: true } : {}),
  };
  return encodeToken(merged, key);
}

/** Whether a session started from `x` reads everything one started from `y` would. */
function covers(x: ConsistencyTokenPayload, y: ConsistencyTokenPayload): boolean {
  if (x.position < y.position) return false;
  // A pending token's session first learns the primary's position, which is past every write that had
  // committed when the token was merged: the other token's included.
  if (x.pending === true) return true;
  if (y.pending === true) return false;
  const mine = x.transactions ?? [];
  return (y.transactions ?? []).every((t) => mine.includes(t));
}

async function safeDecode(
  token: string | undefined,
  key?: CryptoKey,
): Promise<ConsistencyTokenPayload | undefined> {
  if (token === undefined) return undefined;
  try {
    return await decodeToken(token, key === undefined ? { unverified: true } : { key });
  } catch {
    return undefined;
  }
}
