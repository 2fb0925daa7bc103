import type { ReplicationPosition } from '../../consistency/replication-position.js';

/**
 * A D1 bookmark is `XXXXXXXX-XXXXXXXX-XXXXXXXX-<hex>` (three 8-hex-digit groups, then a hash; checked against
 * miniflare's D1, which issues `00000000-00000002-00000000-000...`). D1 orders bookmarks as strings, and the
 * fixed-width groups are where order lives: read as one 96-bit number, they order like the strings.
 */
const BOOKMARK = /^([0-9a-f]{8})-([0-9a-f]{8})-([0-9a-f]{8})-[0-9a-f]{1,64}$/;

/**
 * The order-preserving position of a D1 bookmark (for the router's session and cache), or `undefined` when
 * the text is not a bookmark of the known format. Tokens carry the whole bookmark; this only orders it.
 *
 * ### Examples
 * ```ts
 * bookmarkPosition('00000000-00000002-00000000-00000000000000000000000000000000') // 8589934592n (2n << 32n)
 * ```
 */
export function bookmarkPosition(bookmark: string | null | undefined): ReplicationPosition | undefined {
  if (typeof bookmark !== 'string') return undefined;
  const match = BOOKMARK.exec(bookmark);
  if (match === null) return undefined;
  return BigInt(`0x${match[1]}${match[2]}${match[3]}`);
}

/** The newer of two bookmarks, as D1 orders them (string order). */
export function newerBookmark(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b > a ? b : a;
}
