/** Query parameters that carry secrets: left out of an identity's readable part, folded into its hash. */
const SECRET_PARAMETERS = new Set(['password', 'authtoken', 'auth_token', 'token', 'sslpassword', 'jwt']);

/**
 * The identity of a database as seen through one set of credentials: the URL without its secrets, plus a
 * hash of the user, password, auth token and secret parameters. Two roles on one URL (row-level security)
 * or two auth tokens get different identities, so they never share cache entries; the readable part never
 * holds a secret, so it can appear in route events and errors.
 *
 * The part before `#` names the database itself (what consistency tokens are bound to); see
 * {@link databaseOfIdentity}.
 *
 * ### Examples
 * ```ts
 * databaseIdentity('postgres://app:secret@db.example.com/shop') // 'postgres://db.example.com/shop#k3x9...'
 * databaseIdentity('libsql://shop-org.turso.io', 'eyJhbGciOi...') // 'libsql://shop-org.turso.io#p0q7...'
 * ```
 */
export function databaseIdentity(url: string, ...credentials: readonly (string | undefined)[]): string {
  const secrets: string[] = [];
  let readable = url;
  const parsed = parseUrl(url);
  if (parsed !== undefined) {
    secrets.push(decodeURIComponent(parsed.username), decodeURIComponent(parsed.password));
    parsed.username = '';
    parsed.password = '';
    for (const name of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAMETERS.has(name.toLowerCase())) {
        secrets.push(`${name}=${parsed.searchParams.getAll(name).join(',')}`);
        parsed.searchParams.delete(name);
      }
    }
    parsed.hash = '';
    readable = parsed.toString();
  } else {
    // Not a URL the platform can parse (a `file:` path on some runtimes): keep it, hash it whole.
    secrets.push(url);
    readable = url.replace(/\/\/[^@/]*@/, '//');
  }
  for (const credential of credentials) secrets.push(credential ?? '');
  return `${readable}#${hashText(secrets.join('\u0000'))}`;
}

/**
 * The database part of an identity made by {@link databaseIdentity} (without the credentials' hash), or the
 * identity itself when it has none.
 *
 * ### Examples
 * ```ts
 * databaseOfIdentity('postgres://db.example.com/shop#k3x9') // 'postgres://db.example.com/shop'
 * ```
 */
export function databaseOfIdentity(identity: string): string {
  const hash = identity.lastIndexOf('#');
  return hash === -1 ? identity : identity.slice(0, hash);
}

function parseUrl(url: string): URL | undefined {
  try {
    const parsed = new URL(url);
    return parsed.host === '' ? undefined : parsed;
  } catch {
    return undefined;
  }
}

/** Two 32-bit FNV-1a hashes with different offsets, base 36: a fingerprint, not a secret-keeping hash. */
function hashText(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(36) + (b >>> 0).toString(36);
}
