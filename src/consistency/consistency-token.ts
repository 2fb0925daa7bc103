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
}

const VERSION = 1;
const PAYLOAD_BYTES = 1 + 8 + 1 + 8 + 4;
const MAC_BYTES = 16;
const FAMILY_CODES: Record<ReplicationFamily, number> = { postgres: 1, libsql: 2 };
const MAX_TOKEN_LENGTH = 128;

/**
 * Encodes a token: `base64url(payload)` or, when signed, `base64url(payload).base64url(hmac)` where the MAC
 * is HMAC-SHA256 over the payload bytes truncated to 128 bits. About 30 characters unsigned, 53 signed;
 * URL-, header- and cookie-safe.
 */
export async function encodeToken(payload: ConsistencyTokenPayload, key?: CryptoKey): Promise<string> {
  const bytes = new Uint8Array(PAYLOAD_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, VERSION);
  view.setBigUint64(1, BigInt.asUintN(64, payload.cluster));
  view.setUint8(9, FAMILY_CODES[payload.family]);
  view.setBigUint64(10, BigInt.asUintN(64, payload.position));
  view.setUint32(18, Math.max(0, Math.min(0xffffffff, Math.floor(payload.issuedAt))));
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
 * `TOKEN_SIGNATURE_INVALID` or `TOKEN_CLUSTER_MISMATCH`; never anything else, whatever the input.
 */
export async function decodeToken(
  token: string,
  options: {
    readonly key?: CryptoKey | undefined;
    readonly cluster?: bigint;
    readonly family?: ReplicationFamily;
  },
): Promise<ConsistencyTokenPayload> {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw malformed('it is empty, not a string, or too long');
  }
  const parts = token.split('.');
  if (parts.length > 2) throw malformed('it has more than two parts');
  const bytes = fromBase64Url(parts[0]!);
  if (bytes === undefined) throw malformed('it is not base64url');
  if (bytes.length < 1 || bytes[0] !== VERSION)
    throw malformed(`version ${bytes[0] ?? 'none'} is not supported`);
  if (bytes.length !== PAYLOAD_BYTES) throw malformed('its payload has the wrong length');
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
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const familyCode = view.getUint8(9);
  const family = (Object.keys(FAMILY_CODES) as ReplicationFamily[]).find(
    (f) => FAMILY_CODES[f] === familyCode,
  );
  if (family === undefined) throw malformed(`unknown database family ${familyCode}`);
  const payload: ConsistencyTokenPayload = {
    cluster: view.getBigUint64(1),
    family,
    position: view.getBigUint64(10),
    issuedAt: view.getUint32(18),
  };
  if (
    (options.cluster !== undefined && payload.cluster !== BigInt.asUintN(64, options.cluster)) ||
    (options.family !== undefined && payload.family !== options.family)
  ) {
    throw new EdgeDbError(
      'TOKEN_CLUSTER_MISMATCH',
      'edge-db: the consistency token belongs to another database cluster; it was ignored',
    );
  }
  return payload;
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
  return new EdgeDbError(
    'TOKEN_MALFORMED',
    `edge-db: the consistency token is malformed (${why}); it was ignored`,
  );
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
