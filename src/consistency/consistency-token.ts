import { EdgeDbError } from '../errors/edge-db-error.js';
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
}

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

/** Version 1: fixed layout, 64-bit position. Version 2: variable-length position and position text. */
const VERSION_FIXED = 1;
const VERSION_VARIABLE = 2;
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
const MAX_TOKEN_LENGTH = 256;
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
  const issuedAt = Math.max(0, Math.min(0xffffffff, Math.floor(payload.issuedAt)));
  const cluster = BigInt.asUintN(64, payload.cluster);
  const family = FAMILY_CODES[payload.family];
  let bytes: Uint8Array;
  if (positionText === undefined && position <= U64_MAX) {
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
    bytes = new Uint8Array(VARIABLE_HEAD_BYTES + positionBytes.length + 1 + text.length);
    const view = new DataView(bytes.buffer);
    view.setUint8(0, VERSION_VARIABLE);
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
  if (version !== VERSION_VARIABLE) throw malformed(`version ${version ?? 'none'} is not supported`);
  if (bytes.length < VARIABLE_HEAD_BYTES + 1) throw malformed('its payload is truncated');
  const positionLength = view.getUint8(14);
  const textAt = VARIABLE_HEAD_BYTES + positionLength;
  if (positionLength > MAX_POSITION_BYTES || bytes.length < textAt + 1) {
    throw malformed('its position has the wrong length');
  }
  const textLength = view.getUint8(textAt);
  if (bytes.length !== textAt + 1 + textLength || textLength > MAX_TEXT_LENGTH) {
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
  const text = String.fromCharCode(...bytes.subarray(textAt + 1));
  if (!PRINTABLE.test(text)) throw malformed('its position text is not printable ASCII');
  return {
    cluster: view.getBigUint64(1),
    family,
    position,
    issuedAt: view.getUint32(10),
    ...(textLength === 0 ? {} : { positionText: text }),
  };
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

/** Imports a secret for HMAC-SHA256 signing (a string of at least 32 characters, or raw bytes). */
export async function importTokenSecret(secret: string | Uint8Array | CryptoKey): Promise<CryptoKey> {
  if (typeof CryptoKey !== 'undefined' && secret instanceof CryptoKey) return secret;
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : (secret as Uint8Array);
  if (bytes.length < 32) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      'consistency.secret must be at least 32 bytes; generate one with `openssl rand -base64 32`',
    );
  }
  return crypto.subtle.importKey(
    'raw',
    bytes as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
}

/** FNV-1a 64-bit hash of a cluster key: stable across runtimes, synchronous, no crypto needed. */
export function clusterHash(key: string): bigint {
  let hash = 0xcbf29ce484222325n;
  const bytes = new TextEncoder().encode(key);
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = BigInt.asUintN(64, hash * 0x100000001b3n);
  }
  return hash;
}

function malformed(why: string): EdgeDbError {
  return new EdgeDbError('TOKEN_MALFORMED', `edge-db: the consistency token is malformed (${why})`);
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Map([...ALPHABET].map((ch, i) => [ch, i]));

function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += ALPHABET[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined;
  const bytes = new Uint8Array(Math.floor((text.length * 6) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const ch of text) {
    const value = LOOKUP.get(ch);
    if (value === undefined) return undefined;
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[index++] = (buffer >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero: exactly one spelling per token (no malleable variants).
  if ((buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return bytes;
}
