import type { ScannedSql } from './sql-text-scanner.js';

/** A result column as the engine describes it: `column` is the table column it comes from, if any. */
export interface ColumnOrigin {
  readonly column: string | null;
}

/** What a guarded statement returns: its SQL and, per result column, whether the value comes guarded. */
export interface GuardedSql {
  readonly sql: string;
  readonly guarded: readonly boolean[];
}

/** Wraps a value so the engine only ever reads ASCII text for it (decoded by `decodeGuardedValue`). */
export function guardExpression(value: string): string {
  return `CASE typeof(${value}) WHEN 'text' THEN 'T' || hex(${value}) WHEN 'blob' THEN 'B' || hex(${value}) ELSE ${value} END`;
}

// Items calling these stay unwrapped: wrapped in a scalar subquery that names no column of the row, SQLite
// would evaluate them once per statement instead of once per row. They return numbers or blobs, which the
// binding reads safely.
const PER_ROW_FUNCTIONS = /\b(random|randomblob|changes|total_changes|last_insert_rowid)\s*\(/i;
const ALIAS = /\s+AS\s+("(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|'(?:[^']|'')*'|[\p{L}\p{N}_$]+)\s*$/iu;

/** Splits a RETURNING list at commas outside parentheses, strings, quoted names and comments. */
function splitItems(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i += 1) {
    const ch = list[i] as string;
    if (ch === "'" || ch === '"' || ch === '`' || ch === '[') {
      const close = ch === '[' ? ']' : ch;
      let j = i + 1;
      while (j < list.length && !(list[j] === close && list[j + 1] !== close)) j += list[j] === close ? 2 : 1;
      i = j;
    } else if (ch === '-' && list[i + 1] === '-') {
      const end = list.indexOf('\n', i);
      i = end === -1 ? list.length : end;
    } else if (ch === '/' && list[i + 1] === '*') {
      const end = list.indexOf('*/', i + 2);
      i = end === -1 ? list.length : end + 1;
    } else if (ch === '(') {
      depth += 1;
    } else if (ch === ')') {
      depth -= 1;
    } else if (ch === ',' && depth === 0) {
      items.push(list.slice(start, i));
      start = i + 1;
    }
  }
  items.push(list.slice(start));
  return items;
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The guarded form of an `INSERT`/`UPDATE`/`DELETE ... RETURNING`: each returned expression is read through
 * `(SELECT <guard>(v) FROM (SELECT <expr> AS v))`, evaluated once per row, and `*` is expanded to the table's
 * columns. `undefined` when the list cannot be rewritten with confidence (the statement then runs as is).
 *
 * ### Examples
 * ```ts
 * guardReturning('update t set s = 1 returning s', scanSql('update t set s = 1 returning s'), [{ column: 's' }])
 * // { sql: 'update t set s = 1 returning (SELECT CASE typeof(v) ... FROM (SELECT s AS v))', guarded: [true] }
 * ```
 */
export function guardReturning(
  sql: string,
  scanned: ScannedSql,
  columns: readonly ColumnOrigin[],
): GuardedSql | undefined {
  if (scanned.returningOffset === undefined) return undefined;
  const listStart = scanned.returningOffset + 'RETURNING'.length;
  if (listStart > scanned.firstStatementEnd) return undefined;
  const items = splitItems(sql.slice(listStart, scanned.firstStatementEnd)).map((item) => item.trim());
  const isStar = (item: string) => item === '*' || /\.\s*\*$/.test(item);
  const stars = items.filter(isStar).length;
  const perStar = stars === 0 ? 0 : (columns.length - (items.length - stars)) / stars;
  if (!Number.isInteger(perStar) || (stars === 0 && items.length !== columns.length)) return undefined;
  const parts: string[] = [];
  const guarded: boolean[] = [];
  let column = 0;
  for (const item of items) {
    if (isStar(item)) {
      for (let k = 0; k < perStar; k += 1, column += 1) {
        const name = columns[column]?.column;
        if (name === null || name === undefined) return undefined;
        parts.push(`(SELECT ${guardExpression('v')} FROM (SELECT ${quoteName(name)} AS v))`);
        guarded.push(true);
      }
      continue;
    }
    column += 1;
    if (PER_ROW_FUNCTIONS.test(item)) {
      parts.push(item);
      guarded.push(false);
      continue;
    }
    const expression = item.replace(ALIAS, '');
    parts.push(`(SELECT ${guardExpression('v')} FROM (SELECT ${expression} AS v))`);
    guarded.push(true);
  }
  return { sql: `${sql.slice(0, listStart)} ${parts.join(', ')}`, guarded };
}
