import { HranaError } from './hrana-error.js';
import { type ColumnOrigin, type GuardedSql, guardExpression, guardReturning } from './returning-guard.js';
import type { ScannedSql } from './sql-text-scanner.js';

/**
 * The `libsql` engine binding (0.5.x) aborts the whole process when a TEXT value it reads is not valid
 * UTF-8 (`cast(X'DEADBEEF' as text)`): a Rust `unwrap()` on the conversion, which no JavaScript code can
 * catch. sqld answers such a statement with an error instead. So the server never lets the binding read
 * TEXT or BLOB values of a query: it runs the query inside a wrapper that turns every TEXT and BLOB value
 * into ASCII (`'T' || hex(v)` / `'B' || hex(v)`) and decodes them here, rejecting invalid UTF-8 with a
 * statement error. Integers, reals and NULLs pass through untouched.
 *
 * For SELECT and VALUES statements (with or without `WITH`) the wrapper is a `MATERIALIZED` CTE: the query
 * runs exactly once per row (no duplicated evaluation of `random()`), and its rows keep their order. A
 * `RETURNING` list is rewritten item by item (see `guardReturning`). `EXPLAIN` and `PRAGMA` run as they are.
 */
export const UTF8_ERROR_CODE = 'SQLITE_MISMATCH';

const WRAPPED_VERBS = new Set(['SELECT', 'VALUES']);
const WRITE_VERBS = new Set(['INSERT', 'REPLACE', 'UPDATE', 'DELETE']);

/**
 * The guarded form of a reader statement with these result `columns`, or `undefined` when the statement
 * cannot be guarded. The original text keeps its parameters, so the same bound values apply.
 *
 * ### Examples
 * ```ts
 * utf8SafeSql('select s from t', scanSql('select s from t'), [{ column: 's' }])
 * // { sql: 'WITH __edb_rows(c0) AS MATERIALIZED (select s from t) SELECT CASE typeof(c0) ...', guarded: [true] }
 * ```
 */
export function utf8SafeSql(
  sql: string,
  scanned: ScannedSql,
  columns: readonly ColumnOrigin[],
): GuardedSql | undefined {
  if (scanned.isExplain || columns.length === 0 || scanned.verb === undefined) return undefined;
  if (WRITE_VERBS.has(scanned.verb)) return guardReturning(sql, scanned, columns);
  if (!WRAPPED_VERBS.has(scanned.verb) || scanned.returningOffset !== undefined) return undefined;
  const names = columns.map((_, i) => `c${i}`);
  // The body ends before any trailing `;` or comment, and a newline keeps a trailing `--` comment inside.
  const body = sql.slice(0, scanned.firstStatementEnd);
  return {
    sql: `WITH __edb_rows(${names.join(', ')}) AS MATERIALIZED (\n${body}\n) SELECT ${names
      .map(guardExpression)
      .join(', ')} FROM __edb_rows`,
    guarded: names.map(() => true),
  };
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Turns one value read through the wrapper back into what the query returned: `'T…'` strings become
 * text (or a statement error when the bytes are not UTF-8), `'B…'` strings become blobs.
 */
export function decodeGuardedValue(value: unknown, column: number): unknown {
  if (typeof value !== 'string') return value;
  const bytes = Buffer.from(value.slice(1), 'hex');
  if (value.startsWith('B')) return bytes;
  try {
    return decoder.decode(bytes);
  } catch {
    throw new HranaError(
      UTF8_ERROR_CODE,
      `SQLite error: column ${column} of the result holds a TEXT value that is not valid UTF-8 ` +
        `(bytes ${bytes.subarray(0, 16).toString('hex')}${bytes.length > 16 ? '…' : ''}); ` +
        'select it as a BLOB (cast(x as blob)) to read its bytes',
    );
  }
}

/**
 * `EXPLAIN` rows cannot be wrapped, and SQLite folds `cast(X'..' as text)` into the program's text operands,
 * which the binding then reads. So an `EXPLAIN` whose SQL holds a blob literal that is not UTF-8 is answered
 * with the error sqld would give for the invalid operand, before the engine runs it.
 */
export function checkExplainLiterals(sql: string): void {
  for (const match of sql.matchAll(/[xX]'([0-9a-fA-F]*)'/g)) {
    const bytes = Buffer.from(match[1] ?? '', 'hex');
    try {
      decoder.decode(bytes);
    } catch {
      throw new HranaError(
        UTF8_ERROR_CODE,
        `SQLite error: the EXPLAIN output would hold text that is not valid UTF-8 (the literal ${match[0]}); ` +
          'explain the statement without casting that blob to text',
      );
    }
  }
}
