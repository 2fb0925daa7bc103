import { EdgeDbError } from '../errors/edge-db-error.js';

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
