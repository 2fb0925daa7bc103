import type { HranaErrorBody } from './hrana-types.js';

/**
 * An error the local libSQL server reports as a Hrana `Error` (`{ message, code }`).
 *
 * Codes besides SQLite's own (`SQLITE_CONSTRAINT`, `SQLITE_BUSY`, ...):
 * - `READONLY`: a replica refused a write; send writes to the primary.
 * - `REPLICATION_INDEX_TIMEOUT`: a replica had not applied the requested `replication_index` in time.
 * - `ARGS_INVALID`, `SQL_NO_STATEMENT`, `SQL_MANY_STATEMENTS`, `SQL_NOT_FOUND`, `PROTO_ERROR`,
 *   `STREAM_EXPIRED`, `UNAUTHORIZED`.
 *
 * ### Examples
 * ```ts
 * throw new HranaError('READONLY', 'This node is a read replica; send writes to the primary')
 * ```
 */
export class HranaError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'HranaError';
    this.code = code;
  }

  /** The wire form. */
  toBody(): HranaErrorBody {
    return { message: this.message, code: this.code };
  }
}

interface EngineError {
  readonly message: string;
  readonly code: string;
  readonly rawCode?: number;
}

function isEngineError(error: unknown): error is EngineError {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/** SQLite's primary result code (`SQLITE_CONSTRAINT`) of an engine error, as sqld reports it. */
export function primarySqliteCode(error: unknown): string | undefined {
  if (!isEngineError(error)) return undefined;
  return error.code.split('_').slice(0, 2).join('_');
}

/**
 * Converts anything thrown while serving a request into a Hrana error body.
 * Engine errors keep SQLite's primary code and get sqld's `SQLite error: ` message prefix.
 */
export function toHranaErrorBody(error: unknown): HranaErrorBody {
  if (error instanceof HranaError) return error.toBody();
  const code = primarySqliteCode(error);
  if (code !== undefined) {
    return { message: `SQLite error: ${(error as EngineError).message}`, code };
  }
  return { message: error instanceof Error ? error.message : String(error), code: 'INTERNAL' };
}
