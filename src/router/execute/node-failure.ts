import { EdgeDbError } from '../../errors/edge-db-error.js';

/**
 * SQLSTATE classes that describe the statement, not the node: the same statement fails the same way on any
 * node, so it is not retried elsewhere. Everything else (connection exceptions, shutdowns, recovery conflicts,
 * timeouts, HTTP and socket failures) counts as a node failure for reads.
 */
const STATEMENT_SQLSTATE_CLASSES = new Set([
  '21',
  '22',
  '23',
  '27',
  '28',
  '2B',
  '2F',
  '34',
  '38',
  '39',
  '3F',
  '42',
  '44',
  '0A',
  'P0',
]);

/** SQLite result codes that describe the statement or data rather than the node. */
const STATEMENT_SQLITE_CODES = /^SQLITE_(ERROR|CONSTRAINT|MISMATCH|RANGE|TOOBIG|AUTH|FORMAT|NOTADB)(_|$)/;

/** `EdgeDbError` codes of configuration mistakes: the same on every node, and no node's health problem. */
const CONFIGURATION_CODES = new Set([
  'CONFIG_INVALID',
  'AUTH_FAILED',
  'DATABASE_NOT_FOUND',
  'HOST_NOT_FOUND',
]);

/**
 * True when `error` is a configuration mistake rather than an outage: edge-db's `AUTH_FAILED`,
 * `DATABASE_NOT_FOUND`, `HOST_NOT_FOUND`, `CONFIG_INVALID`, and the same failures as other dialects' drivers
 * raise them (SQLSTATE class 28 invalid authorization, 3D000 invalid catalog name, DNS `ENOTFOUND` on the error
 * or its `cause`). Never retried on another node, never wrapped as `PRIMARY_UNAVAILABLE`, never ejects a node.
 */
export function isConfigurationFailure(error: unknown): boolean {
  if (error instanceof EdgeDbError) return CONFIGURATION_CODES.has(error.code);
  // The error itself, then what it wraps (`cause`; `sourceError` of a NeonDbError), a few levels deep.
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const { code, cause, sourceError } = current as {
      code?: unknown;
      cause?: unknown;
      sourceError?: unknown;
    };
    if (typeof code === 'string') {
      if (/^28[0-9A-Z]{3}$/.test(code) || code === '3D000' || code === 'ENOTFOUND') return true;
      if (/^[0-9A-Z]{5}$/.test(code)) return false;
    }
    current = cause ?? sourceError;
  }
  return false;
}

/**
 * True when `error` says the node could not serve (so a read may be retried on another node), false when
 * the statement itself is at fault (a syntax error, a constraint violation) and retrying elsewhere would fail
 * the same way, and for configuration mistakes ({@link isConfigurationFailure}).
 */
export function isNodeFailure(error: unknown): boolean {
  if (isWriteRefusal(error) || isConfigurationFailure(error)) return false;
  if (error instanceof EdgeDbError) {
    return ['TIMEOUT', 'REPLICA_BEHIND', 'NO_REPLICA_AVAILABLE', 'PRIMARY_UNAVAILABLE'].includes(error.code);
  }
  if (error === null || typeof error !== 'object') return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^[0-9A-Z]{5}$/.test(code)) return !STATEMENT_SQLSTATE_CLASSES.has(code.slice(0, 2));
    if (code.startsWith('SQLITE_')) return !STATEMENT_SQLITE_CODES.test(code);
  }
  return true;
}

/**
 * True when `error` says the node could not be reached or is shutting down (network errors, timeouts,
 * SQLSTATE classes 08 connection exception, 53 insufficient resources, 57 operator intervention). Writes are
 * wrapped in `PRIMARY_UNAVAILABLE` only then; any other database error of a write passes through unchanged.
 */
export function isUnreachable(error: unknown): boolean {
  if (isConfigurationFailure(error)) return false;
  if (error instanceof EdgeDbError) return error.code === 'TIMEOUT' || error.code === 'PRIMARY_UNAVAILABLE';
  if (error === null || typeof error !== 'object') return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code))
    return ['08', '53', '57'].includes(code.slice(0, 2));
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return false;
  // LibsqlError/NeonDbError without a SQL code, fetch TypeErrors, socket errors (ECONNREFUSED, ...).
  return true;
}

/**
 * True when a replica refused the statement because it writes: PostgreSQL's SQLSTATE 25006
 * (`read_only_sql_transaction`: "cannot execute ... in a read-only transaction" or during recovery), libSQL's
 * `READONLY` (`EdgeDbError` `READ_ONLY_NODE` from edge-db's driver, or SQLite's `SQLITE_READONLY`), and a
 * standby's "recovery is in progress" (55000) or "... during recovery" (XX000). It says the
 * statement writes, even when its text does not show it (a function that writes): it must run as a write on
 * the primary. This is the one place that decides what a replica's refusal means.
 */
export function isWriteRefusal(error: unknown): boolean {
  if (error instanceof EdgeDbError) return error.code === 'READ_ONLY_NODE';
  if (error === null || typeof error !== 'object') return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === '25006' || code === 'SQLITE_READONLY' || code === 'READONLY') return true;
  // A standby also refuses what needs a primary with "recovery is in progress" (55000: pg_switch_wal(),
  // a sequence reset) or "cannot assign OIDs during recovery" (XX000): the same meaning.
  const during = typeof message === 'string' && /\brecovery\b/i.test(message);
  return (code === '55000' || code === 'XX000') && during;
}

/** How one attempt ended, for route events and health: the one mapping from errors to outcomes. */
export function attemptOutcomeOf(
  error: unknown,
  aborted: boolean,
): 'aborted' | 'behind' | 'timeout' | 'error' {
  if (aborted) return 'aborted';
  if (error instanceof EdgeDbError && error.code === 'REPLICA_BEHIND') return 'behind';
  if (error instanceof EdgeDbError && error.code === 'TIMEOUT') return 'timeout';
  return 'error';
}

/** Errors that mean the connection was lost after the statement was sent (not a refused connect). */
export function diedMidFlight(error: unknown): boolean {
  if (!isUnreachable(error)) return false;
  const code = (error as { code?: unknown } | null)?.code;
  return !(typeof code === 'string' && NOT_SENT_CODES.has(code));
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
