import { EdgeDbError } from '../errors/edge-db-error.js';
import type { ReplicationPosition } from './replication-position.js';

// PostgreSQL prints an LSN as `%X/%X`: two unpadded 32-bit hex halves.
const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;
const MAX_LSN = (1n << 64n) - 1n;

/**
 * Parses PostgreSQL's text form of a WAL position (`pg_lsn`, for example `16/B374D848`) into a
 * {@link ReplicationPosition}: `(hi << 32) | lo` as an unsigned 64-bit bigint.
 *
 * Throws an `EdgeDbError` with code `TOKEN_MALFORMED` when `text` is not an LSN.
 *
 * ### Examples
 * ```ts
 * parseLsn('0/16B3748') // 23803720n
 * parseLsn('1/0') // 4294967296n
 * ```
 */
export function parseLsn(text: string): ReplicationPosition {
  const match = LSN_TEXT.exec(text);
  if (match === null) {
    throw new EdgeDbError(
      'TOKEN_MALFORMED',
      `"${text.slice(0, 40)}" is not a PostgreSQL LSN; expected two hex numbers like "16/B374D848" (pg_lsn text).`,
    );
  }
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/**
 * Formats a {@link ReplicationPosition} as PostgreSQL's `pg_lsn` text (`%X/%X`), the exact form
 * `pg_current_wal_lsn()::text` returns, so it can be passed back as `$1::pg_lsn`.
 *
 * Throws a `RangeError` when `position` is outside the unsigned 64-bit range.
 *
 * ### Examples
 * ```ts
 * formatLsn(23803720n) // '0/16B3748'
 * formatLsn(parseLsn('16/b374d848')) // '16/B374D848'
 * ```
 */
export function formatLsn(position: ReplicationPosition): string {
  if (position < 0n || position > MAX_LSN) {
    throw new RangeError(`edge-db: ${position} is not a PostgreSQL LSN; it must be within 0 and 2^64 - 1.`);
  }
  const hi = position >> 32n;
  const lo = position & 0xffff_ffffn;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}
