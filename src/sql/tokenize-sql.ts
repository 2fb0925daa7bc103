/**
 * A token of SQL text as far as volatility detection needs it:
 * - `word`: an unquoted identifier or keyword, lower-cased;
 * - `quoted`: a quoted identifier (`"x"` or `` `x` ``), as written;
 * - `string`: a string literal's content (`'...'`, `E'...'`, `$tag$...$tag$`);
 * - `punct`: `(`, `)`, `::` or another single character.
 * Comments, whitespace, numbers and bind parameters (`$1`, `?`, `:name`, `@name`, `$name`) are dropped.
 */
export interface SqlToken {
  readonly type: 'word' | 'quoted' | 'string' | 'punct';
  readonly value: string;
}

/**
 * Splits SQL into {@link SqlToken}s, PostgreSQL and SQLite syntax alike. Never throws: an
 * unterminated literal or comment runs to the end of the text.
 *
 * ### Examples
 * ```ts
 * tokenizeSql("select now() -- now()") // word select, word now, punct (, punct )
 * ```
 */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  const length = sql.length;
  let at = 0;
  while (at < length) {
    const char = sql[at] as string;
    const next = sql[at + 1];
    if (isSpace(char)) {
      at++;
    } else if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', at + 2);
      at = end === -1 ? length : end + 1;
    } else if (char === '/' && next === '*') {
      at = skipBlockComment(sql, at);
    } else if (char === "'") {
      at = readQuoted(sql, at, "'", false, 'string', tokens);
    } else if (char === '"' || char === '`') {
      at = readQuoted(sql, at, char, false, 'quoted', tokens);
    } else if (char === '$') {
      at = readDollar(sql, at, tokens);
    } else if (isWordStart(char)) {
      let end = at + 1;
      while (end < length && isWordPart(sql[end] as string)) end++;
      const word = sql.slice(at, end);
      // E'...' is PostgreSQL's escape string: backslash escapes the quote.
      if ((word === 'e' || word === 'E') && sql[end] === "'") {
        at = readQuoted(sql, end, "'", true, 'string', tokens);
      } else {
        tokens.push({ type: 'word', value: word.toLowerCase() });
        at = end;
      }
    } else if (isDigit(char)) {
      at++;
      while (at < length && (isWordPart(sql[at] as string) || sql[at] === '.')) at++;
    } else if (char === ':' && next === ':') {
      tokens.push({ type: 'punct', value: '::' });
      at += 2;
    } else if ((char === ':' || char === '@') && next !== undefined && isWordStart(next)) {
      at = skipWord(sql, at + 1);
    } else if (char === '?') {
      at++;
      while (at < length && isDigit(sql[at] as string)) at++;
    } else {
      tokens.push({ type: 'punct', value: char });
      at++;
    }
  }
  return tokens;
}

function skipBlockComment(sql: string, start: number): number {
  // PostgreSQL nests block comments; SQLite does not, but nested comments are a syntax error there anyway.
  let depth = 0;
  let at = start;
  while (at < sql.length) {
    if (sql[at] === '/' && sql[at + 1] === '*') {
      depth++;
      at += 2;
    } else if (sql[at] === '*' && sql[at + 1] === '/') {
      depth--;
      at += 2;
      if (depth === 0) return at;
    } else {
      at++;
    }
  }
  return at;
}

function readQuoted(
  sql: string,
  start: number,
  quote: string,
  backslashEscapes: boolean,
  type: 'string' | 'quoted',
  tokens: SqlToken[],
): number {
  let value = '';
  let at = start + 1;
  while (at < sql.length) {
    const char = sql[at] as string;
    if (backslashEscapes && char === '\\') {
      value += sql[at + 1] ?? '';
      at += 2;
    } else if (char === quote) {
      if (sql[at + 1] === quote) {
        value += quote;
        at += 2;
      } else {
        at++;
        break;
      }
    } else {
      value += char;
      at++;
    }
  }
  tokens.push({ type, value });
  return at;
}

function readDollar(sql: string, start: number, tokens: SqlToken[]): number {
  const next = sql[start + 1];
  if (next !== undefined && isDigit(next)) {
    let at = start + 1;
    while (at < sql.length && isDigit(sql[at] as string)) at++;
    return at;
  }
  let tagEnd = start + 1;
  if (next !== undefined && isWordStart(next)) {
    tagEnd++;
    while (tagEnd < sql.length && isTagPart(sql[tagEnd] as string)) tagEnd++;
  }
  if (sql[tagEnd] !== '$') {
    // Not a dollar quote: SQLite's `$name` parameter.
    return skipWord(sql, start + 1);
  }
  const tag = sql.slice(start, tagEnd + 1);
  const bodyStart = tagEnd + 1;
  const close = sql.indexOf(tag, bodyStart);
  const bodyEnd = close === -1 ? sql.length : close;
  tokens.push({ type: 'string', value: sql.slice(bodyStart, bodyEnd) });
  return close === -1 ? sql.length : close + tag.length;
}

function skipWord(sql: string, start: number): number {
  let at = start;
  while (at < sql.length && isWordPart(sql[at] as string)) at++;
  return at;
}

function isSpace(char: string): boolean {
  return char === ' ' || char === '\n' || char === '\t' || char === '\r' || char === '\f' || char === '\v';
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

function isWordStart(char: string): boolean {
  return (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || char === '_' || char > '\u007f';
}

function isTagPart(char: string): boolean {
  return isWordStart(char) || isDigit(char);
}

function isWordPart(char: string): boolean {
  return isTagPart(char) || char === '$';
}
