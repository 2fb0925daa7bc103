import { primaryClass, type QueryClass, READ_CLASS } from './query-class.js';
import type { SqlDialect, SqlToken } from './tokenize-sql.js';

/** Classifies a statement nested in another one (`classifyStatement` of classify-sql.ts). */
export type InnerClassifier = (tokens: readonly SqlToken[], dialect: SqlDialect) => QueryClass | 'stop';

/** Statements PostgreSQL's EXPLAIN plans without running them unless ANALYZE is on. */
const PLANNED_ONLY = new Set(['select', 'values', 'table', 'with', 'insert', 'update', 'delete', 'merge']);
const ANALYZE_OPTIONS = new Set(['analyze', 'analyse']);
const QUERY = new Set(['query']);
const PLAN = new Set(['plan']);
/** The spellings of false an EXPLAIN option accepts (`defGetBoolean`); anything else is treated as true. */
const FALSE_WORDS = new Set(['false', 'off']);

/**
 * `EXPLAIN`: SQLite's never runs its statement; PostgreSQL's runs it only with ANALYZE, given as
 * `EXPLAIN ANALYZE [VERBOSE]` or as an option in `EXPLAIN (...)` of any length, quoted or not (`"analyze"`,
 * `U&"\0061nalyze"`), with any value but an explicit false (`false`, `off`, `0`, `'false'`, `'off'`).
 * Without ANALYZE a planned statement (SELECT, INSERT, UPDATE, DELETE, MERGE, ...) is only planned: a read
 * on any node. With ANALYZE, or for another statement (`EXPLAIN EXECUTE`), the statement inside decides.
 *
 * `offset` is the index of the `explain` word.
 */
export function classifyExplain(
  tokens: readonly SqlToken[],
  offset: number,
  dialect: SqlDialect,
  inner: InnerClassifier,
): QueryClass {
  if (dialect === 'sqlite') return READ_CLASS;
  let at = offset + 1;
  // SQLite's `EXPLAIN QUERY PLAN` is a syntax error in PostgreSQL, which parses the whole text before running
  // any of it: nothing runs on either engine.
  if (isWordIn(tokens[at], QUERY) && isWordIn(tokens[at + 1], PLAN)) return READ_CLASS;
  let analyze = false;
  if (isPunct(tokens[at], '(')) {
    const options = readOptions(tokens, at);
    analyze = options.analyze;
    at = options.end;
  } else {
    if (isWordIn(tokens[at], ANALYZE_OPTIONS)) {
      analyze = true;
      at++;
    }
    if (tokens[at]?.type === 'word' && tokens[at]!.value === 'verbose') at++;
  }
  const statement = tokens.slice(at);
  let first = 0;
  while (isPunct(statement[first], '(')) first++;
  if (statement[first] === undefined) return primaryClass('unknown', 'EXPLAIN of nothing');
  if (!analyze && isWordIn(statement[first], PLANNED_ONLY)) return READ_CLASS;
  const verdict = inner(statement, dialect);
  if (verdict === 'stop') return primaryClass('unknown', 'unrecognised statement inside EXPLAIN');
  if (!verdict.requiresPrimary || verdict.reason === 'read' || !analyze) return verdict;
  return primaryClass(
    verdict.reason,
    `EXPLAIN ANALYZE runs the statement: ${verdict.detail ?? verdict.reason}`,
  );
}

/** Reads `( option [value] [, ...] )` from the `(` at `open`: whether ANALYZE is on, and where it ends. */
function readOptions(tokens: readonly SqlToken[], open: number): { analyze: boolean; end: number } {
  let analyze = false;
  let at = open + 1;
  let depth = 1;
  let name: SqlToken | undefined;
  let values: SqlToken[] = [];
  const finishOption = () => {
    if (name !== undefined && (name.type === 'word' || name.type === 'quoted')) {
      if (ANALYZE_OPTIONS.has(name.value.toLowerCase()) && !isFalse(values)) analyze = true;
    }
    name = undefined;
    values = [];
  };
  while (at < tokens.length && depth > 0) {
    const token = tokens[at]!;
    at++;
    if (isPunct(token, '(')) depth++;
    if (isPunct(token, ')')) depth--;
    if (depth === 0 || (depth === 1 && isPunct(token, ','))) {
      finishOption();
      continue;
    }
    if (name === undefined) name = token;
    else values.push(token);
  }
  finishOption();
  return { analyze, end: at };
}

function isFalse(values: readonly SqlToken[]): boolean {
  if (values.length !== 1) return false;
  const [value] = values as [SqlToken];
  if (value.type === 'number') return Number(value.value) === 0;
  if (value.type === 'word' || value.type === 'string') return FALSE_WORDS.has(value.value.toLowerCase());
  return false;
}

/**
 * PostgreSQL's `COPY`: `COPY ... TO STDOUT` only reads (the query inside, if any, decides); `COPY ... FROM`
 * writes; `COPY ... TO` a file or a program acts on the server's machine and stays on the primary.
 *
 * `offset` is the index of the `copy` word.
 */
export function classifyPostgresCopy(
  tokens: readonly SqlToken[],
  offset: number,
  inner: InnerClassifier,
): QueryClass {
  let at = offset + 1;
  let query: readonly SqlToken[] | undefined;
  if (isPunct(tokens[at], '(')) {
    const close = matchingParen(tokens, at);
    query = tokens.slice(at + 1, close);
    at = close + 1;
  }
  let depth = 0;
  for (; at < tokens.length; at++) {
    const token = tokens[at]!;
    if (isPunct(token, '(')) depth++;
    else if (isPunct(token, ')')) depth--;
    else if (depth === 0 && token.type === 'word' && (token.value === 'to' || token.value === 'from')) break;
  }
  const direction = tokens[at];
  const target = tokens[at + 1];
  if (direction?.type !== 'word' || direction.value !== 'to') return primaryClass('write', 'COPY');
  if (target?.type !== 'word' || target.value !== 'stdout') {
    return primaryClass('side-effect', 'COPY TO a file or program runs on the server');
  }
  if (query === undefined) return READ_CLASS;
  const verdict = inner(query, 'postgres');
  return verdict === 'stop' ? primaryClass('unknown', 'unrecognised statement inside COPY') : verdict;
}

function matchingParen(tokens: readonly SqlToken[], open: number): number {
  let depth = 0;
  for (let at = open; at < tokens.length; at++) {
    if (isPunct(tokens[at], '(')) depth++;
    else if (isPunct(tokens[at], ')') && --depth === 0) return at;
  }
  return tokens.length;
}

function isPunct(token: SqlToken | undefined, value: string): boolean {
  return token?.type === 'punct' && token.value === value;
}

function isWordIn(token: SqlToken | undefined, words: ReadonlySet<string>): boolean {
  return token?.type === 'word' && words.has(token.value);
}
