import { decodeToken } from './consistency-token.js';

/**
 * Keeps the newer of two tokens (by position; D1 bookmarks by string order), for a client that holds tokens from several requests.
 * Unreadable tokens lose; tokens of different clusters keep `a`. Signatures are not checked here: the session
 * that starts from the result verifies it.
 *
 * ### Examples
 * ```ts
 * const token = await mergeTokens(readToken(request), bodyToken)
 * ```
 */
export async function mergeTokens(a: string | undefined, b: string | undefined): Promise<string | undefined> {
  const [left, right] = await Promise.all([safeDecode(a), safeDecode(b)]);
  if (left === undefined) return right === undefined ? undefined : b;
  if (right === undefined || right.cluster !== left.cluster || right.family !== left.family) return a;
  // Bookmarks (D1) order as strings; their positions are only a prefix of them.
  if (left.positionText !== undefined && right.positionText !== undefined) {
    return right.positionText > left.positionText ? b : a;
  }
  return right.position > left.position ? b : a;
}

async function safeDecode(token: string | undefined) {
  if (token === undefined) return undefined;
  try {
    return await decodeToken(token, { unverified: true });
  } catch {
    return undefined;
  }
}
