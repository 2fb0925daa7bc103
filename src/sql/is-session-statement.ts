import { classifySql } from './classify-sql.js';
import { functionEffects } from './function-catalogue.js';
import { type SqlToken, tokenizeSql } from './tokenize-sql.js';

/** Session-level statements that leave no state behind: they may run over HTTP. */
const ONE_SHOT_STATEMENTS = new Set([
  'NOTIFY',
  'VACUUM',
  'ANALYZE',
  'REINDEX',
  'CLUSTER',
  'CHECKPOINT',
  'CALL',
  'DO',
  'PRAGMA',
  'ATTACH',
  'DETACH',
]);

const TEMPORARY = new Set(['temp', 'temporary']);

/**
 * True when `sql` depends on or changes session state (transaction control, `SET`, `LISTEN`, temporary
 * tables, cursors, prepared statements, session advisory locks, `currval`/`lastval`). Such statements must
 * not go over SQL over HTTP, where every statement runs in a fresh implicit transaction on a pooled
 * server connection: a `SET` would be lost, a lock released at once, a temporary table dropped.
 *
 * Built on the same tokenizer, statement classification and function catalogue as routing. False positives
 * only cost a WebSocket; false negatives are what it guards against, so it errs towards `true`.
 *
 * ### Examples
 * ```ts
 * isSessionStatement('set statement_timeout = 1000') // true
 * isSessionStatement('select pg_advisory_lock($1)') // true
 * isSessionStatement('select * from "person" where "id" = $1') // false
 * ```
 */
export function isSessionStatement(sql: string): boolean {
  // Transaction control and session statements (SET, LISTEN, PREPARE, cursors, LOCK, ...) are session-bound.
  const { reason, detail } = classifySql(sql);
  if (reason === 'transaction-control') return true;
  if (reason === 'session' && !ONE_SHOT_STATEMENTS.has(detail ?? '')) return true;
  const tokens = tokenizeSql(sql).filter((token) => token.type !== 'string');
  return createsTemporary(tokens) || tokens.some((_, i) => touchesSession(tokens, i));
}

/** `create [or replace] [global|local] temp|temporary ...` (tables, views, sequences). */
function createsTemporary(tokens: readonly SqlToken[]): boolean {
  let i = 0;
  while (tokens[i]?.type === 'punct' && tokens[i]?.value === '(') i++;
  if (!isWord(tokens[i], 'create')) return false;
  i++;
  if (isWord(tokens[i], 'or') && isWord(tokens[i + 1], 'replace')) i += 2;
  if (isWord(tokens[i], 'global') || isWord(tokens[i], 'local')) i++;
  return tokens[i]?.type === 'word' && TEMPORARY.has(tokens[i]!.value);
}

/**
 * `into temp|temporary` (a `select ... into` creating a temporary table), a reference into `pg_temp`, or a
 * call of a session-bound function.
 */
function touchesSession(tokens: readonly SqlToken[], i: number): boolean {
  const token = tokens[i]!;
  const next = tokens[i + 1];
  if (token.type === 'word') {
    if (token.value === 'into' && next?.type === 'word' && TEMPORARY.has(next.value)) {
      // `into temp [table] name`; `insert into temp (id)` writes a table named temp.
      const name = isWord(tokens[i + 2], 'table') ? tokens[i + 3] : tokens[i + 2];
      if (name?.type === 'word' || name?.type === 'quoted') return true;
    }
    if (token.value === 'pg_temp' && next?.type === 'punct' && next.value === '.') return true;
  }
  if (token.type !== 'word' && token.type !== 'quoted') return false;
  return next?.type === 'punct' && next.value === '(' && functionEffects(token.value).session;
}

function isWord(token: SqlToken | undefined, value: string): boolean {
  return token?.type === 'word' && token.value === value;
}
