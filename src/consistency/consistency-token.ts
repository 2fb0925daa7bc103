import { EdgeDbError } from '../errors/edge-db-error.js';
import { constantTimeEqual, fromBase64Url, toBase64Url } from './base64url.js';

export { clusterHash } from './cluster-hash.js';
export { importTokenSecret } from './token-secret.js';

import type { ReplicationFamily } from './replication-adapter.js';
import type { ReplicationPosition } from './replication-position.js';

/** What a consistency token says: "reads of this session must reflect `position` of `cluster`". */
export interface ConsistencyTokenPayload {
  /** 64-bit hash of the cluster key, so a token of another database is recognised. */
  readonly cluster: bigint;
  readonly family: ReplicationFamily;
  readonly position: ReplicationPosition;
  /** Seconds since the epoch when the token was issued. */
  readonly issuedAt: number;
  /**
   * The backend's own spelling of the position when the bigint is only its order (a D1 bookmark): carried
   * whole, so the next session starts exactly there. Printable ASCII, at most 96 characters.
   */
  readonly positionText?: string | undefined;
  /**
   * PostgreSQL transaction ids (`xid8`) of writes whose commit positions were not known when the token was
   * issued: reads must also reflect them. At most {@link MAX_TOKEN_TRANSACTIONS}.
   */
  readonly transactions?: readonly bigint[] | undefined;
  /** A write whose position and id are both unknown: the next session learns a position from the primary first. */
  readonly pending?: boolean | undefined;
}

/** Transaction ids one token carries at most (a merge beyond it sets `pending` instead). */
export const MAX_TOKEN_TRANSACTIONS = 8;

/** How {@link decodeToken} checks a token. */
export interface DecodeTokenOptions {
  /** Verify the signature with this key. Without a key, a token with a signature part is malformed. */
  readonly key?: CryptoKey | undefined;
  readonly cluster?: bigint;
  readonly family?: ReplicationFamily;
  /** Tokens issued more than this many seconds before (or after) `nowSeconds` are `TOKEN_EXPIRED`. */
  readonly maxAgeSeconds?: number | undefined;
  /** The clock, in seconds since the epoch, for `maxAgeSeconds`. @default Date.now() / 1000 */
  readonly nowSeconds?: number | undefined;
  /** Read the payload and ignore a signature part without checking it (for `mergeTokens`, never for trust). */
  readonly unverified?: boolean;
}

/**
 * Version 1: fixed layout, 64-bit position. Version 2: variable-length position and position text. Version 3:
 * version 2 followed by a flags byte (bit 0: pending), a count and that many 64-bit transaction ids.
 */
const VERSION_FIXED = 1;
const VERSION_VARIABLE = 2;
const VERSION_TRANSACTIONS = 3;
const FIXED_BYTES = 1 + 8 + 1 + 8 + 4;
/** version, cluster, family, issuedAt, position length: the start of every version-2 payload. */
const VARIABLE_HEAD_BYTES = 1 + 8 + 1 + 4 + 1;
const MAX_POSITION_BYTES = 16;
const MAX_TEXT_LENGTH = 96;
const MAC_BYTES = 16;
const FAMILY_CODES: Record<ReplicationFamily, number> = { postgres: 1, libsql: 2, d1: 3 };
/** Families whose positions are unsigned 64-bit numbers by definition (WAL LSN, sqld frame number). */
const U64_FAMILIES: ReadonlySet<ReplicationFamily> = new Set(['postgres', 'libsql']);
const U64_MAX = 2n ** 64n - 1n;
const MAX_TOKEN_LENGTH = 400;
const PRINTABLE = /^[\x21-\x7e]*$/;

/**
 * Encodes a token: `base64url(payload)` or, when signed, `base64url(payload).base64url(hmac)` where the MAC
 * is HMAC-SHA256 over the payload bytes truncated to 128 bits. A 64-bit position without text keeps the
 * fixed version-1 layout (about 30 characters unsigned, 53 signed); a longer position or a position text (a D1
 * bookmark) uses version 2 (about 120 characters signed with a bookmark). URL-, header- and cookie-safe.
 *
 * Throws `EdgeDbError('UNSUPPORTED')` for a position its family cannot hold (negative, above 2^64-1 for
 * PostgreSQL and libSQL, above 128 bits) or a text that is not short printable ASCII: never wrapped.
 */
export async function encodeToken(payload: ConsistencyTokenPayload, key?: CryptoKey): Promise<string> {
  const { position, positionText } = payload;
  const limit = U64_FAMILIES.has(payload.family) ? U64_MAX : 2n ** BigInt(MAX_POSITION_BYTES * 8) - 1n;
  if (typeof position !== 'bigint' || position < 0n || position > limit) {
    throw new EdgeDbError(
      'UNSUPPORTED',
      `a ${payload.family} position must be an unsigned integer of at most ${limit.toString(2).length} bits; ` +
        `got ${String(position)}, which no token can carry`,
    );
  }
  if (
    positionText !== undefined &&
    (positionText.length > MAX_TEXT_LENGTH || !PRINTABLE.test(positionText))
  ) {
    throw new EdgeDbError(
      'UNSUPPORTED',
      `a position text must be printable ASCII of at most ${MAX_TEXT_LENGTH} characters`,
    );
  }
  const transactions = payload.transactions ?? [];
  if (
    transactions.length > MAX_TOKEN_TRANSACTIONS ||
    transactions.some((t) => typeof t !== 'bigint' || t < 0n || t > U64_MAX)
  ) {
    throw new EdgeDbError(
      'UNSUPPORTED',
      `a token carries at most ${MAX_TOKEN_TRANSACTIONS} transaction ids, each an unsigned 64-bit integer`,
    );
  }
  const extended = transactions.length > 0 || payload.pending === true;
  const issuedAt = Math.max(0, Math.min(0xffffffff, Math.floor(payload.issuedAt)));
  const cluster = BigInt.asUintN(64, payload.cluster);
  const family = FAMILY_CODES[payload.family];
  let bytes: Uint8Array;
  if (positionText === undefined && position <= U64_MAX && !extended) {
    bytes = new Uint8Array(FIXED_BYTES);
    const view = new DataView(bytes.buffer);
    view.setUint8(0, VERSION_FIXED);
    view.setBigUint64(1, cluster);
    view.setUint8(9, family);
    view.setBigUint64(10, position);
    view.setUint32(18, issuedAt);
  } else {
    const positionBytes = unsignedBytes(position);
    const text = new TextEncoder().encode(positionText ?? '');
    const textEnd = VARIABLE_HEAD_BYTES + positionBytes.length + 1 + text.length;
    bytes = new Uint8Array(textEnd + (extended ? 2 + 8 * transactions.length : 0));
    const view = new DataView(bytes.buffer);
    view.setUint8(0, extended ? VERSION_TRANSACTIONS : VERSION_VARIABLE);
    if (extended) {
      view.setUint8(textEnd, payload.pending === true ? 1 : 0);
      view.setUint8(textEnd + 1, transactions.length);
      for (const [i, t] of transactions.entries()) view.setBigUint64(textEnd + 2 + 8 * i, t);
    }
    view.setBigUint64(1, cluster);
    view.setUint8(9, family);
    view.setUint32(10, issuedAt);
    view.setUint8(14, positionBytes.length);
    bytes.set(positionBytes, VARIABLE_HEAD_BYTES);
    view.setUint8(VARIABLE_HEAD_BYTES + positionBytes.length, text.length);
    bytes.set(text, VARIABLE_HEAD_BYTES + positionBytes.length + 1);
  }
  const body = toBase64Url(bytes);
  if (key === undefined) return body;
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, bytes as Uint8Array<ArrayBuffer>)).slice(
    0,
    MAC_BYTES,
  );
  return `${body}.${toBase64Url(mac)}`;
}

/**
 * Decodes and, when `key` is given, verifies a token. Throws `EdgeDbError` with code `TOKEN_MALFORMED`,
 * `TOKEN_SIGNATURE_INVALID`, `TOKEN_CLUSTER_MISMATCH` or `TOKEN_EXPIRED`; never anything else, whatever
 * the input. Messages say what is wrong, not what the caller does about it (ignore or throw).
 */
export async function decodeToken(
  token: string,
  options: DecodeTokenOptions,
): Promise<ConsistencyTokenPayload> {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw malformed('it is empty, not a string, or too long');
  }
  const parts = token.split('.');
  if (parts.length > 2) throw malformed('it has more than two parts');
  if (parts.length === 2 && options.key === undefined && options.unverified !== true) {
    // A signature nobody checks would make a forged token look trustworthy to whoever reads it next.
    throw malformed('it has a signature part, but no secret is configured to verify it');
  }
  const bytes = fromBase64Url(parts[0]!);
  if (bytes === undefined) throw malformed('it is not base64url');
  const payload = parsePayload(bytes);
  if (options.key !== undefined) {
    const mac = parts[1] === undefined ? undefined : fromBase64Url(parts[1]);
    if (mac === undefined || mac.length !== MAC_BYTES) {
      throw new EdgeDbError(
        'TOKEN_SIGNATURE_INVALID',
        'edge-db: the consistency token is not signed, but a secret is configured',
      );
    }
    const expected = new Uint8Array(
      await crypto.subtle.sign('HMAC', options.key, bytes as Uint8Array<ArrayBuffer>),
    ).slice(0, MAC_BYTES);
    if (!constantTimeEqual(mac, expected)) {
      throw new EdgeDbError(
        'TOKEN_SIGNATURE_INVALID',
        'edge-db: the consistency token signature does not verify (forged, altered, or signed with another secret)',
      );
    }
  }
  if (
    (options.cluster !== undefined && payload.cluster !== BigInt.asUintN(64, options.cluster)) ||
    (options.family !== undefined && payload.family !== options.family)
  ) {
    throw new EdgeDbError(
      'TOKEN_CLUSTER_MISMATCH',
      'edge-db: the consistency token belongs to another database cluster',
    );
  }
  if (options.maxAgeSeconds !== undefined) {
    const now = options.nowSeconds ?? Date.now() / 1000;
    const age = now - payload.issuedAt;
    if (age > options.maxAgeSeconds || -age > options.maxAgeSeconds) {
      throw new EdgeDbError(
        'TOKEN_EXPIRED',
        `edge-db: the consistency token was issued ${Math.round(Math.abs(age))} s ${age < 0 ? 'in the future' : 'ago'}, ` +
          `beyond consistency.tokenMaxAgeSeconds (${options.maxAgeSeconds})`,
      );
    }
  }
  return payload;
}

function parsePayload(bytes: Uint8Array): ConsistencyTokenPayload {
  const version = bytes[0];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (version === VERSION_FIXED) {
    if (bytes.length !== FIXED_BYTES) throw malformed('its payload has the wrong length');
    return {
      cluster: view.getBigUint64(1),
      family: familyOf(view.getUint8(9)),
      position: view.getBigUint64(10),
      issuedAt: view.getUint32(18),
    };
  }
  if (version !== VERSION_VARIABLE && version !== VERSION_TRANSACTIONS)
    throw malformed(`version ${version ?? 'none'} is not supported`);
  if (bytes.length < VARIABLE_HEAD_BYTES + 1) throw malformed('its payload is truncated');
  const positionLength = view.getUint8(14);
  const textAt = VARIABLE_HEAD_BYTES + positionLength;
  if (positionLength > MAX_POSITION_BYTES || bytes.length < textAt + 1) {
    throw malformed('its position has the wrong length');
  }
  const textLength = view.getUint8(textAt);
  const textEnd = textAt + 1 + textLength;
  const tail = version === VERSION_TRANSACTIONS ? transactionsTail(view, textEnd) : undefined;
  if (bytes.length !== (tail?.end ?? textEnd) || textLength > MAX_TEXT_LENGTH) {
    throw malformed('its payload has the wrong length');
  }
  const positionBytes = bytes.subarray(VARIABLE_HEAD_BYTES, textAt);
  // One spelling per token: no leading zero bytes.
  if (positionBytes[0] === 0) throw malformed('its position is not minimally encoded');
  let position = 0n;
  for (const byte of positionBytes) position = (position << 8n) | BigInt(byte);
  const family = familyOf(view.getUint8(9));
  if (U64_FAMILIES.has(family) && position > U64_MAX) {
    throw malformed(`a ${family} position above 2^64-1`);
  }
  const text = String.fromCharCode(...bytes.subarray(textAt + 1, textEnd));
  if (!PRINTABLE.test(text)) throw malformed('its position text is not printable ASCII');
  return {
    cluster: view.getBigUint64(1),
    family,
    position,
    issuedAt: view.getUint32(10),
    ...(textLength === 0 ? {} : { positionText: text }),
    ...(tail === undefined || tail.transactions.length === 0 ? {} : { transactions: tail.transactions }),
    ...(tail?.pending === true ? { pending: true } : {}),
  };
}

/** The flags, count and ids after a version-3 token's text; every id unique, in one spelling. */
function transactionsTail(
  view: DataView,
  at: number,
): { end: number; pending: boolean; transactions: bigint[] } {
  if (view.byteLength < at + 2) throw malformed('its payload is truncated');
  const flags = view.getUint8(at);
  const count = view.getUint8(at + 1);
  if (flags > 1) throw malformed('it has unknown flags');
  if (count > MAX_TOKEN_TRANSACTIONS) throw malformed('it carries too many transaction ids');
  if (count === 0 && flags === 0) throw malformed('its version-3 part is empty');
  const end = at + 2 + 8 * count;
  if (view.byteLength < end) throw malformed('its transaction ids are truncated');
  const transactions: bigint[] = [];
  for (let i = 0; i < count; i++) transactions.push(view.getBigUint64(at + 2 + 8 * i));
  if (new Set(transactions).size !== count) throw malformed('it repeats a transaction id');
  return { end, pending: flags === 1, transactions };
}

function familyOf(code: number): ReplicationFamily {
  const family = (Object.keys(FAMILY_CODES) as ReplicationFamily[]).find((f) => FAMILY_CODES[f] === code);
  if (family === undefined) throw malformed(`unknown database family ${code}`);
  return family;
}

/** Big-endian bytes of an unsigned integer, without leading zeros (none for 0). */
function unsignedBytes(value: bigint): Uint8Array {
  const out: number[] = [];
  for (let rest = value; rest > 0n; rest >>= 8n) out.unshift(Number(rest & 0xffn));
  return Uint8Array.from(out);
}

function malformed(why: string): EdgeDbError {
  return new EdgeDbError('TOKEN_MALFORMED', `edge-db: the consistency token is malformed (${why})`);
}
