/** One parameter slot of a statement, as SQLite numbers them (1-based). */
export interface SqlParameter {
  /** SQLite's index of the slot. */
  readonly index: number;
  /** The name with its prefix (`:a`, `@a`, `$a`, `?3`), or `null` for a bare `?`. */
  readonly name: string | null;
}

/** What the server needs to know about a SQL text before handing it to the engine. */
export interface ScannedSql {
  /** Parameter slots in index order; holes (unused `?NNN` indexes) have `name: null`. */
  readonly parameters: readonly SqlParameter[];
  /** True when the text holds no statement (only whitespace, comments and semicolons). */
  readonly isEmpty: boolean;
  /** True when another statement follows the first one. */
  readonly hasMoreStatements: boolean;
  /** True when the first statement is an `EXPLAIN`. */
  readonly isExplain: boolean;
  /**
   * The first statement's main keyword, upper-cased: its first word, except after `WITH`, where it is the
   * first keyword outside parentheses among SELECT, VALUES, INSERT, REPLACE, UPDATE, DELETE.
   */
  readonly verb: string | undefined;
  /** Offset just after the first statement's last token (before a `;` or trailing comments). */
  readonly firstStatementEnd: number;
  /** Offset of a `RETURNING` keyword outside parentheses in the first statement, if any. */
  readonly returningOffset: number | undefined;
}

const MAIN_VERBS = new Set(['SELECT', 'VALUES', 'INSERT', 'REPLACE', 'UPDATE', 'DELETE']);

const IDENTIFIER_CHAR = /[\p{L}\p{N}_$]/u;

/**
 * Scans a SQL text the way SQLite's tokenizer sees it (strings, quoted identifiers and comments are
 * skipped) to find parameter slots and statement boundaries. The engine binding used here cannot bind by
 * name when a statement also has a bare `?`, so the server binds everything by index using this scan.
 *
 * ### Examples
 * ```ts
 * scanSql('SELECT ?, :a, ?5').parameters
 * // [{ index: 1, name: null }, { index: 2, name: ':a' }, { index: 3, name: null }, ..., { index: 5, name: '?5' }]
 * ```
 */
export function scanSql(sql: string): ScannedSql {
  const byIndex = new Map<number, string | null>();
  const indexByName = new Map<string, number>();
  let maxIndex = 0;
  let statements = 0;
  let tokensInStatement = 0;
  let firstWord: string | undefined;
  let verb: string | undefined;
  let depth = 0;
  let firstStatementEnd = 0;
  let returningOffset: number | undefined;
  let i = 0;

  const startToken = () => {
    if (tokensInStatement === 0) statements += 1;
    tokensInStatement += 1;
  };
  // Called after each token with its end offset: remembers where the first statement stops.
  const endToken = (end: number) => {
    if (statements === 1) firstStatementEnd = end;
  };

  while (i < sql.length) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (ch === ';') {
      tokensInStatement = 0;
      i += 1;
    } else if (ch === "'" || ch === '"' || ch === '`' || ch === '[') {
      startToken();
      const close = ch === '[' ? ']' : ch;
      let j = i + 1;
      for (;;) {
        const end = sql.indexOf(close, j);
        if (end === -1) {
          j = sql.length;
          break;
        }
        // Doubled quotes escape themselves inside strings and identifiers (not inside [...]).
        if (close !== ']' && sql[end + 1] === close) {
          j = end + 2;
          continue;
        }
        j = end + 1;
        break;
      }
      i = j;
      endToken(i);
    } else if (ch === '?') {
      startToken();
      let j = i + 1;
      while (j < sql.length && /[0-9]/.test(sql[j] as string)) j += 1;
      if (j === i + 1) {
        maxIndex += 1;
        byIndex.set(maxIndex, null);
      } else {
        const index = Number(sql.slice(i + 1, j));
        const name = sql.slice(i, j);
        if (!byIndex.has(index) || byIndex.get(index) === null) byIndex.set(index, name);
        indexByName.set(name, index);
        maxIndex = Math.max(maxIndex, index);
      }
      i = j;
      endToken(i);
    } else if ((ch === ':' || ch === '@' || ch === '$') && next !== undefined && IDENTIFIER_CHAR.test(next)) {
      startToken();
      let j = i + 1;
      for (;;) {
        while (j < sql.length && IDENTIFIER_CHAR.test(sql[j] as string)) j += 1;
        // TCL-style `$a::b` names continue after a double colon.
        if (ch === '$' && sql.startsWith('::', j)) {
          j += 2;
          continue;
        }
        break;
      }
      const name = sql.slice(i, j);
      if (!indexByName.has(name)) {
        maxIndex += 1;
        indexByName.set(name, maxIndex);
        byIndex.set(maxIndex, name);
      }
      i = j;
      endToken(i);
    } else if (IDENTIFIER_CHAR.test(ch)) {
      startToken();
      let j = i + 1;
      while (j < sql.length && IDENTIFIER_CHAR.test(sql[j] as string)) j += 1;
      if (statements === 1) {
        const word = sql.slice(i, j).toUpperCase();
        if (tokensInStatement === 1) firstWord = word;
        if (depth === 0 && verb === undefined && MAIN_VERBS.has(word)) verb = word;
        if (depth === 0 && word === 'RETURNING') returningOffset = i;
      }
      i = j;
      endToken(i);
    } else {
      startToken();
      if (statements === 1 && ch === '(') depth += 1;
      if (statements === 1 && ch === ')') depth -= 1;
      i += 1;
      endToken(i);
    }
  }

  const parameters: SqlParameter[] = [];
  for (let index = 1; index <= maxIndex; index += 1) {
    parameters.push({ index, name: byIndex.get(index) ?? null });
  }
  return {
    parameters,
    isEmpty: statements === 0,
    hasMoreStatements: statements > 1,
    isExplain: firstWord === 'EXPLAIN',
    verb: firstWord === 'WITH' ? (verb ?? firstWord) : firstWord,
    firstStatementEnd,
    returningOffset,
  };
}
