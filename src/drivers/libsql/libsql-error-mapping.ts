import { EdgeDbError } from '../../errors/edge-db-error.js';

/** Hrana error code a replica answers with when it did not reach the required `replication_index` in time. */
export const REPLICATION_INDEX_TIMEOUT_CODE = 'REPLICATION_INDEX_TIMEOUT';
/** Hrana error code of a write refused by a read-only node. */
export const READONLY_CODE = 'READONLY';

/**
 * Maps the two libSQL errors that mean "wrong node for this statement" to `EdgeDbError`s the router acts on
 * (`REPLICA_BEHIND`, `READ_ONLY_NODE`), and configuration mistakes to `AUTH_FAILED`, `DATABASE_NOT_FOUND` and
 * `HOST_NOT_FOUND` (never retried elsewhere, never an outage); the original error stays as `cause`. Every
 * other error is returned unchanged, so `instanceof LibsqlError` keeps working.
 *
 * ### Examples
 * ```ts
 * try { await client.execute(stmt) } catch (error) { throw mapLibsqlError(error, 'replica-0') }
 * ```
 */
export function mapLibsqlError(error: unknown, nodeName: string): unknown {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === REPLICATION_INDEX_TIMEOUT_CODE) {
    return new EdgeDbError(
      'REPLICA_BEHIND',
      `libSQL node ${nodeName} had not applied the required replication index before its deadline. ` +
        'Read from the primary, or retry once the replica caught up.',
      { cause: error },
    );
  }
  if (code === READONLY_CODE) {
    return new EdgeDbError(
      'READ_ONLY_NODE',
      `libSQL node ${nodeName} is read-only and refused a write. Send writes to the primary.`,
      { cause: error },
    );
  }
  const configuration = configurationMistake(error, code);
  if (configuration !== undefined) {
    const [edgeCode, what] = configuration;
    return new EdgeDbError(edgeCode, `libSQL node ${nodeName}: ${what}`, { cause: error });
  }
  return error;
}

/**
 * Failures that are the configuration's fault, not an outage: sqld's and Turso's `AUTH_*` codes and HTTP
 * 401/403 (a wrong or expired auth token), an unknown namespace or HTTP 404 (no database at this URL), and a
 * host name that does not resolve (`ENOTFOUND`, on the error or its `cause`).
 */
function configurationMistake(
  error: unknown,
  code: unknown,
): readonly ['AUTH_FAILED' | 'DATABASE_NOT_FOUND' | 'HOST_NOT_FOUND', string] | undefined {
  const status = httpStatusOf(error);
  if ((typeof code === 'string' && code.startsWith('AUTH_')) || status === 401 || status === 403) {
    return [
      'AUTH_FAILED',
      'the server refused the credentials. Check `authToken` (expired, or for another database).',
    ];
  }
  if (code === 'NAMESPACE_DOESNT_EXIST' || status === 404) {
    return ['DATABASE_NOT_FOUND', 'the server has no database at this URL. Check `url`.'];
  }
  if (hasCode(error, 'ENOTFOUND')) {
    return ['HOST_NOT_FOUND', 'the host name does not resolve. Check `url`.'];
  }
  return undefined;
}

/** The HTTP status of a `SERVER_ERROR` (the client keeps hrana's `HttpServerError` as `cause`). */
function httpStatusOf(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const status = (current as { status?: unknown }).status;
    if (typeof status === 'number') return status;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function hasCode(error: unknown, wanted: string): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if ((current as { code?: unknown }).code === wanted) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
