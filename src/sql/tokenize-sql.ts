import { decodeUnicodeEscapes } from './decode-unicode-escapes.js';
import { isDigit, isQuote, isSpace, isTagPart, isWordPart, isWordStart, skipWord } from './sql-characters.js';

/**
 * A token of SQL text as far as classification and volatility detection need it:
 * - `word`: an unquoted identifier or keyword, lower-cased;
 * - `quoted`: a quoted identifier's name (`"x"`, PostgreSQL's `U&"\0078"` decoded, SQLite's `` `x` `` and `[x]`);
 * - `string`: a string literal's content (`'...'`, `E'...'`, `U&'...'`, `$tag$...$tag$`);
 * - `number`: a numeric literal as written;
 * - `punct`: `(`, `)`, `::` or another single character.
 * Comments, whitespace and bind parameters (`$1`, `?`, and SQLite's `:name`, `@name`, `$name`) are dropped.
 */
export interface SqlToken {
  readonly type: 'word' | 'quoted' | 'string' | 'number' | 'punct';
  readonly value: string;
}

/** Whose lexical rules read the text. */
export type SqlDialect = 'postgres' | 'sqlite';

/** The tokens of a text as one engine reads it. */
export interface SqlReading {
  readonly dialect: SqlDialect;
  readonly tokens: readonly SqlToken[];
}

/**
 * Splits SQL into {@link SqlToken}s as `dialect` reads it. Never throws: an unterminated literal or comment
 * runs to the end of the text.
 *
 * The two engines disagree on text that is legal in both: PostgreSQL ends a `--` comment at `\r` as well as
 * `\n`, nests block comments, and has `E'...'` (backslash escapes), `U&'...'`/`U&"..."` and `$tag$` quoting;
 * SQLite quotes names with backticks and brackets. Use {@link sqlReadings} when the engine is not known.
 *
 * ### Examples
 * ```ts
 * tokenizeSql("select now() -- now()") // word select, word now, punct (, punct )
 * tokenizeSql('select 1 -- c\rfor update', 'postgres') // ..., word for, word update
 * ```
 */
export function tokenizeSql(sql: string, dialect: SqlDialect = 'postgres'): SqlToken[] {
  return new Lexer(sql, dialect).run();
}

/**
 * Every reading of `sql` that matters: PostgreSQL's, and SQLite's too when the text contains something the
 * two read differently (otherwise the second reading would be identical and is skipped).
 *
 * ### Examples
 * ```ts
 * sqlReadings('select 1').length // 1
 * sqlReadings('/* a /* b *\/ c *\/ select 1').length // 2
 * ```
 */
export function sqlReadings(sql: string): SqlReading[] {
  const postgres = new Lexer(sql, 'postgres');
  const readings: SqlReading[] = [{ dialect: 'postgres', tokens: postgres.run() }];
  if (postgres.divergent) readings.push({ dialect: 'sqlite', tokens: tokenizeSql(sql, 'sqlite') });
  return readings;
}

class Lexer {
  readonly #sql: string;
  readonly #postgres: boolean;
  readonly #tokens: SqlToken[] = [];
  /** Indexes of `U&` tokens and their raw bodies, decoded at the end (a `UESCAPE` clause may follow). */
  readonly #unicode: { index: number; body: string }[] = [];
  #at = 0;
  /** Set when the text contains a construct SQLite would read differently from PostgreSQL. */
  divergent = false;

  constructor(sql: string, dialect: SqlDialect) {
    this.#sql = sql;
    this.#postgres = dialect === 'postgres';
  }

  run(): SqlToken[] {
    const sql = this.#sql;
    while (this.#at < sql.length) this.#step(sql[this.#at] as string, sql[this.#at + 1]);
    if (this.#unicode.length > 0) this.#decodeUnicode();
    return this.#tokens;
  }

  #step(char: string, next: string | undefined): void {
    const sql = this.#sql;
    if (isSpace(char)) {
      this.#at++;
    } else if (char === '-' && next === '-') {
      this.#lineComment();
    } else if (char === '/' && next === '*') {
      this.#blockComment();
    } else if (char === "'") {
      this.#at = this.#quoted(this.#at, "'", 'string');
    } else if (char === '"') {
      this.#at = this.#quoted(this.#at, '"', 'quoted');
    } else if (char === '`' || char === '[') {
      this.divergent = true;
      if (this.#postgres) this.#punct(char);
      else this.#at = this.#quoted(this.#at, char === '[' ? ']' : '`', 'quoted');
    } else if (char === '$') {
      this.#dollar();
    } else if (isWordStart(char)) {
      this.#word();
    } else if (isDigit(char) || (char === '.' && next !== undefined && isDigit(next))) {
      this.#number();
    } else if (char === ':' && next === ':') {
      this.#tokens.push({ type: 'punct', value: '::' });
      this.#at += 2;
    } else if (!this.#postgres && (char === ':' || char === '@') && next !== undefined && isWordStart(next)) {
      // SQLite's named parameters. In PostgreSQL `@` is an operator: `@nextval('s')` calls nextval.
      this.#at = skipWord(sql, this.#at + 1);
    } else if (char === '?') {
      this.#at++;
      while (this.#at < sql.length && isDigit(sql[this.#at] as string)) this.#at++;
    } else {
      this.#punct(char);
    }
  }

  /**
   * Digits, a fraction and an exponent, nothing more: PostgreSQL 14 and older read `1for update` as `1` and
   * `FOR UPDATE` (15 and SQLite refuse the text), so letters after a number start a new word.
   */
  #number(): void {
    const sql = this.#sql;
    let end = this.#at;
    while (end < sql.length && isDigit(sql[end] as string)) end++;
    if (sql[end] === '.') {
      end++;
      while (end < sql.length && isDigit(sql[end] as string)) end++;
    }
    const sign = sql[end + 1] === '+' || sql[end + 1] === '-' ? 1 : 0;
    if ((sql[end] === 'e' || sql[end] === 'E') && isDigit(sql[end + 1 + sign] ?? '')) {
      end += 1 + sign;
      while (end < sql.length && isDigit(sql[end] as string)) end++;
    }
    this.#tokens.push({ type: 'number', value: sql.slice(this.#at, end) });
    this.#at = end;
  }

  #punct(char: string): void {
    this.#tokens.push({ type: 'punct', value: char });
    this.#at++;
  }

  #lineComment(): void {
    const sql = this.#sql;
    let end = this.#at + 2;
    // PostgreSQL's comment ends at either newline character; SQLite's only at `\n`.
    while (end < sql.length && sql[end] !== '\n' && !(this.#postgres && sql[end] === '\r')) end++;
    if (this.#postgres && sql[end] === '\r' && sql[end + 1] !== '\n') this.divergent = true;
    this.#at = end;
  }

  #blockComment(): void {
    const sql = this.#sql;
    let depth = 0;
    let at = this.#at;
    while (at < sql.length) {
      if (sql[at] === '/' && sql[at + 1] === '*') {
        // PostgreSQL nests block comments; SQLite ends the comment at the first `*/`.
        depth++;
        at += 2;
        if (depth > 1) this.divergent = true;
        if (!this.#postgres) depth = 1;
      } else if (sql[at] === '*' && sql[at + 1] === '/') {
        depth--;
        at += 2;
        if (depth === 0) break;
      } else {
        at++;
      }
    }
    this.#at = at;
  }

  #word(): void {
    const sql = this.#sql;
    const start = this.#at;
    let end = start + 1;
    while (end < sql.length && isWordPart(sql[end] as string)) end++;
    const word = sql.slice(start, end);
    const after = sql[end];
    if (this.#postgres && (word === 'e' || word === 'E') && after === "'") {
      this.#at = this.#escapeString(end);
    } else if (this.#postgres && (word === 'u' || word === 'U') && after === '&' && isQuote(sql[end + 1])) {
      // U&'...' and U&"...": Unicode escapes, decoded once a possible UESCAPE clause is known.
      this.divergent = true;
      const quote = sql[end + 1] as string;
      const index = this.#tokens.length;
      this.#at = this.#quoted(end + 1, quote, quote === '"' ? 'quoted' : 'string');
      this.#unicode.push({ index, body: this.#tokens[index]!.value });
    } else {
      this.#tokens.push({ type: 'word', value: word.toLowerCase() });
      this.#at = end;
    }
  }

  /** Reads a literal from `start` (its opening quote) to its closing `close`; doubling escapes the quote. */
  #quoted(start: number, close: string, type: 'string' | 'quoted'): number {
    const sql = this.#sql;
    let value = '';
    let at = start + 1;
    while (at < sql.length) {
      const char = sql[at] as string;
      if (char === close) {
        if (close !== ']' && sql[at + 1] === close) {
          value += close;
          at += 2;
          continue;
        }
        at++;
        break;
      }
      value += char;
      at++;
    }
    this.#tokens.push({ type, value });
    return at;
  }

  /** PostgreSQL's `E'...'`: a backslash escapes the next character (SQLite reads `e` and a plain string). */
  #escapeString(quote: number): number {
    const sql = this.#sql;
    let value = '';
    let at = quote + 1;
    while (at < sql.length) {
      const char = sql[at] as string;
      if (char === '\\') {
        this.divergent = true;
        value += sql[at + 1] ?? '';
        at += 2;
      } else if (char === "'" && sql[at + 1] === "'") {
        value += "'";
        at += 2;
      } else if (char === "'") {
        at++;
        break;
      } else {
        value += char;
        at++;
      }
    }
    this.#tokens.push({ type: 'string', value });
    return at;
  }

  #dollar(): void {
    const sql = this.#sql;
    const start = this.#at;
    const next = sql[start + 1];
    if (next !== undefined && isDigit(next)) {
      let at = start + 1;
      while (at < sql.length && isDigit(sql[at] as string)) at++;
      this.#at = at;
      return;
    }
    if (!this.#postgres) {
      // SQLite's `$name` parameter (SQLite has no dollar quoting).
      this.#at = skipWord(sql, start + 1);
      return;
    }
    let tagEnd = start + 1;
    if (next !== undefined && isWordStart(next)) {
      tagEnd++;
      while (tagEnd < sql.length && isTagPart(sql[tagEnd] as string)) tagEnd++;
    }
    if (sql[tagEnd] !== '$') {
      this.#at = skipWord(sql, start + 1);
      return;
    }
    this.divergent = true;
    const tag = sql.slice(start, tagEnd + 1);
    const bodyStart = tagEnd + 1;
    const close = sql.indexOf(tag, bodyStart);
    const bodyEnd = close === -1 ? sql.length : close;
    this.#tokens.push({ type: 'string', value: sql.slice(bodyStart, bodyEnd) });
    this.#at = close === -1 ? sql.length : close + tag.length;
  }

  /** Decodes `U&` tokens, taking a following `UESCAPE 'c'` clause into the token (it names the escape). */
  #decodeUnicode(): void {
    const tokens = this.#tokens;
    const drop = new Set<number>();
    for (const { index, body } of this.#unicode) {
      const clause = tokens[index + 1];
      const marker = tokens[index + 2];
      let escapeChar = '\\';
      if (clause?.type === 'word' && clause.value === 'uescape' && marker?.type === 'string') {
        escapeChar = marker.value;
        drop.add(index + 1).add(index + 2);
      }
      tokens[index] = { type: tokens[index]!.type, value: decodeUnicodeEscapes(body, escapeChar) };
    }
    if (drop.size > 0) {
      const kept = tokens.filter((_, index) => !drop.has(index));
      tokens.length = 0;
      tokens.push(...kept);
    }
  }
}
