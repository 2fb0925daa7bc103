import { EdgeDbError } from '../../errors/edge-db-error.js';

/**
 * Maps configuration mistakes among the Neon driver's errors to `EdgeDbError`s that say so, naming the node:
 * SQLSTATE class 28 (wrong password, unknown role) to `AUTH_FAILED`, 3D000 to `DATABASE_NOT_FOUND`, and a host
 * name that does not resolve (`ENOTFOUND` on the error, its `cause` or the `sourceError` of a `NeonDbError`) to
 * `HOST_NOT_FOUND`. The router never retries these on another node nor reports them as an outage. The driver's
 * error stays as `cause`; every other error is returned unchanged (`instanceof NeonDbError` keeps working).
 *
 * ### Examples
 * ```ts
 * try { await sql.query(text, params) } catch (error) { throw mapNeonError(error, 'primary') }
 * ```
 */
export function mapNeonError(error: unknown, nodeName: string): unknown {
  if (error instanceof EdgeDbError) return error;
  const code = sqlStateOf(error);
  if (code?.startsWith('28')) {
    return new EdgeDbError(
      'AUTH_FAILED',
      `Neon node ${nodeName} refused the credentials (SQLSTATE ${code}): check the user and password in \`url\`.`,
      { cause: error },
    );
  }
  if (code === '3D000') {
    return new EdgeDbError(
      'DATABASE_NOT_FOUND',
      `Neon node ${nodeName} has no such database (SQLSTATE 3D000): check the database name in \`url\`.`,
      { cause: error },
    );
  }
  if (code === undefined && hasCode(error, 'ENOTFOUND')) {
    return new EdgeDbError(
      'HOST_NOT_FOUND',
      `the host of Neon node ${nodeName} does not resolve: check the host in \`url\` (or \`fetchEndpoint\`/\`wsProxy\`).`,
      { cause: error },
    );
  }
  return error;
}

/**
 * The SQLSTATE of the error, or, when a proxy reported a connection failure only as text (an HTTP 5xx whose
 * message quotes PostgreSQL: `Couldn't connect to database: database "x" does not exist`), the SQLSTATE that
 * text stands for.
 */
function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  if (code !== undefined || typeof message !== 'string') return undefined;
  // The text may be quoted inside a JSON body (`\"x\"`).
  if (/\bdatabase \\?"[^"\\]*\\?" does not exist/.test(message)) return '3D000';
  if (/\bpassword authentication failed for user\b/.test(message)) return '28P01';
  if (/\brole \\?"[^"\\]*\\?" does not exist/.test(message)) return '28000';
  return undefined;
}

/** Looks for `wanted` as the `code` of the error, its `cause` or `sourceError`, a few levels deep. */
function hasCode(error: unknown, wanted: string): boolean {
  const pending: unknown[] = [error];
  for (let seen = 0; seen < 8 && pending.length > 0; seen++) {
    const current = pending.shift();
    if (typeof current !== 'object' || current === null) continue;
    const { code, cause, sourceError } = current as {
      code?: unknown;
      cause?: unknown;
      sourceError?: unknown;
    };
    if (code === wanted) return true;
    pending.push(cause, sourceError);
  }
  return false;
}
