/** A token of SQL text as far as routing needs it: words and punctuation, never string or comment contents. */
export interface SqlToken {
  /** `word`: keyword or unquoted identifier (lower-cased); `punct`: one character such as `(` `;` `,`. */
  readonly type: 'word' | 'punct';
  readonly value: string;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Splits SQL into words and punctuation, skipping everything that cannot change where a statement must run:
 * `--` and nested `/* *\/` comments, string literals (`'...'`, `E'...'`, dollar-quoted `$tag$...$tag$`),
 * quoted identifiers (`"..."`, `` `...` ``, `[...]`), numbers and parameter placeholders (`$1`, `?`, `:name`).
 *
 * It is deliberately small: the router only needs statement keywords and function names, and anything it
 * cannot understand is routed to the primary.
 *
 * ### Examples
 * ```ts
 * tokenizeSql(`/* hi *\/ select 'insert' from "update"`) // [{type:'word', value:'select'}, {type:'word', value:'from'}]
 * ```
 */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  const length = sql.length;
  let i = 0;
  while (i < length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i + 2);
      i = end === -1 ? length : end + 1;
    } else if (ch === '/' && next === '*') {
      i = skipBlockComment(sql, i);
    } else if (ch === "'") {
      i = skipQuoted(sql, i + 1, "'", false);
    } else if (ch === '"' || ch === '`') {
      i = skipQuoted(sql, i + 1, ch, false);
    } else if (ch === '[') {
      // SQLite/SQL Server bracket identifiers; PostgreSQL array subscripts are harmless to skip too.
      const end = sql.indexOf(']', i + 1);
      i = end === -1 ? length : end + 1;
    } else if (ch === '$') {
      i = skipDollar(sql, i);
    } else if ((ch === 'E' || ch === 'e') && next === "'" && !isWordPart(sql[i - 1])) {
      i = skipQuoted(sql, i + 2, "'", true);
    } else if (
      (ch === 'X' || ch === 'x' || ch === 'B' || ch === 'b') &&
      next === "'" &&
      !isWordPart(sql[i - 1])
    ) {
      i = skipQuoted(sql, i + 2, "'", false);
    } else if (WORD_START.test(ch)) {
      let end = i + 1;
      while (end < length && WORD_PART.test(sql[end]!)) end++;
      tokens.push({ type: 'word', value: sql.slice(i, end).toLowerCase() });
      i = end;
    } else if (ch >= '0' && ch <= '9') {
      i++;
      while (i < length && /[0-9.eE_xXa-fA-F]/.test(sql[i]!)) i++;
    } else if (ch === ':' && next !== undefined && WORD_START.test(next) && sql[i - 1] !== ':') {
      // named parameter (:name); `::type` casts keep the type name as a word
      i++;
      while (i < length && WORD_PART.test(sql[i]!)) i++;
    } else if (/\s/.test(ch)) {
      i++;
    } else {
      tokens.push({ type: 'punct', value: ch });
      i++;
    }
  }
  return tokens;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

function isWordPart(ch: string | undefined): boolean {
  return ch !== undefined && WORD_PART.test(ch);
}

/** Skips to just after the closing quote. Backslash escapes exist only in PostgreSQL `E'...'` strings. */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (backslashEscapes && ch === '\\') {
      i += 2;
    } else if (ch === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

function skipDollar(sql: string, start: number): number {
  const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(start, start + 64));
  if (!match) {
    // positional parameter like $1
    let i = start + 1;
    while (i < sql.length && /[0-9]/.test(sql[i]!)) i++;
    return i;
  }
  const tag = match[0];
  const end = sql.indexOf(tag, start + tag.length);
  return end === -1 ? sql.length : end + tag.length;
}
