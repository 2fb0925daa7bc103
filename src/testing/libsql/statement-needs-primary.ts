import { scanSql } from './sql-text-scanner.js';

/** Statements a replica answers itself: reads, connection settings and the end of its own transactions. */
const LOCAL_VERBS = new Set([
  'SELECT',
  'VALUES',
  'PRAGMA',
  'COMMIT',
  'END',
  'ROLLBACK',
  'RELEASE',
  'ATTACH',
  'DETACH',
]);

/**
 * Whether a forwarding replica must send `sql` to the primary: anything that may write, and transactions
 * that are not `READONLY` (they may write later; sqld forwards them too). Decided from the text alone, so a
 * write that names a table the replica has not pulled yet is forwarded instead of failing locally.
 *
 * ### Examples
 * ```ts
 * statementNeedsPrimary('insert into t values (1)') // true
 * statementNeedsPrimary('BEGIN TRANSACTION READONLY') // false
 * ```
 */
export function statementNeedsPrimary(sql: string): boolean {
  const scanned = scanSql(sql);
  if (scanned.isEmpty || scanned.isExplain || scanned.verb === undefined) return false;
  if (scanned.verb === 'BEGIN') return !/\bREADONLY\b/i.test(sql);
  return !LOCAL_VERBS.has(scanned.verb);
}
