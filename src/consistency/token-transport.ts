/** Where tokens travel between the browser (or another service) and the edge function. */
export interface TokenTransportOptions {
  /**
   * Header name.
   * @default 'x-edge-db-token'
   */
  readonly header?: string;
  /**
   * Cookie name; `false` disables the cookie.
   * @default 'edge_db_token'
   */
  readonly cookie?: string | false;
}

/** Cookie attributes used by {@link withToken}. */
export interface TokenCookieOptions extends TokenTransportOptions {
  /**
   * Seconds the cookie lives. A token only needs to outlive replica lag; an hour is generous.
   * @default 3600
   */
  readonly maxAgeSeconds?: number;
  /** @default '/' */
  readonly path?: string;
  /**
   * Add `Secure`. Defaults to true except for plain-http localhost development.
   * @default true
   */
  readonly secure?: boolean;
  /** @default 'Lax' */
  readonly sameSite?: 'Strict' | 'Lax' | 'None';
}

const DEFAULT_HEADER = 'x-edge-db-token';
const DEFAULT_COOKIE = 'edge_db_token';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{1,176}(\.[A-Za-z0-9_-]{1,64})?$/;

/**
 * Reads a consistency token from a request: the header first, then the cookie. Returns `undefined` when none
 * is present or it does not even look like a token (it is verified later, by `edgeDb`).
 *
 * ### Examples
 * ```ts
 * const db = edgeDb<DB>({ primary, replicas, consistency: { token: readToken(request) } })
 * ```
 */
export function readToken(request: Request, options: TokenTransportOptions = {}): string | undefined {
  const fromHeader = request.headers.get(options.header ?? DEFAULT_HEADER)?.trim();
  if (fromHeader && TOKEN_SHAPE.test(fromHeader)) return fromHeader;
  const cookieName = options.cookie ?? DEFAULT_COOKIE;
  if (cookieName === false) return undefined;
  const cookies = request.headers.get('cookie');
  if (!cookies) return undefined;
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === cookieName) {
      const value = part.slice(eq + 1).trim();
      return TOKEN_SHAPE.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * Returns a copy of `response` that carries `token` in the header and in a cookie, so the next request of
 * the same user (browser or API client) continues the session. `undefined` tokens leave it unchanged.
 *
 * ### Examples
 * ```ts
 * return withToken(Response.json(result), await consistencyToken(db))
 * ```
 */
export function withToken(
  response: Response,
  token: string | undefined,
  options: TokenCookieOptions = {},
): Response {
  if (token === undefined) return response;
  const copy = new Response(response.body, response);
  copy.headers.set(options.header ?? DEFAULT_HEADER, token);
  const cookieName = options.cookie ?? DEFAULT_COOKIE;
  if (cookieName !== false) {
    const attributes = [
      `${cookieName}=${token}`,
      `Path=${options.path ?? '/'}`,
      `Max-Age=${options.maxAgeSeconds ?? 3600}`,
      `SameSite=${options.sameSite ?? 'Lax'}`,
      'HttpOnly',
    ];
    if (options.secure ?? true) attributes.push('Secure');
    copy.headers.append('set-cookie', attributes.join('; '));
  }
  return copy;
}
