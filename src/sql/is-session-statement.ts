import { classifySql } from './classify-sql.js';

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

/** `create [or replace] [global|local] temp|temporary ...` (tables, views, sequences). */
const createTemporary = /^create\s+(?:or\s+replace\s+)?(?:(?:global|local)\s+)?temp(?:orary)?\b/i;

/** `select ... into temp|temporary [table] x` (also after a `with` clause): creates a temporary table. */
const selectIntoTemporary = /\binto\s+temp(?:orary)?\s+(?:table\s+)?(?:"|[a-z_])/i;

/** Functions whose effect or answer belongs to the session (advisory locks, settings, sequences' memory). */
const sessionFunctions =
  /\b(?:pg_(?:try_)?advisory_(?:un)?lock(?:_shared|_all)?|set_config|currval|lastval)\s*\(|\bpg_temp\s*\./i;

const leadingNoise = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()+/;

/**
 * True when `sql` depends on or changes session state (transaction control, `SET`, `LISTEN`, temporary
 * tables, cursors, prepared statements, session advisory locks, `currval`/`lastval`). Such statements must
 * not go over SQL over HTTP, where every statement runs in a fresh implicit transaction on a pooled
 * server connection: a `SET` would be lost, a lock released at once, a temporary table dropped.
 *
 * False positives (a keyword inside a string literal) only cost a WebSocket; false negatives are what
 * the list guards against, so it errs towards `true`.
 *
 * ### Examples
 * ```ts
 * isSessionStatement('set statement_timeout = 1000') // true
 * isSessionStatement('select pg_advisory_lock($1)') // true
 * isSessionStatement('select * from "person" where "id" = $1') // false
 * ```
 */
export function isSessionStatement(sql: string): boolean {
  const text = sql.replace(leadingNoise, '');
  // The router's classification already knows transaction control and session statements (SET, LISTEN,
  // PREPARE, cursors, LOCK, ...); what it routes to the primary for those reasons is session-bound here too.
  const { reason, detail } = classifySql(sql);
  if (reason === 'transaction-control') return true;
  if (reason === 'session' && !ONE_SHOT_STATEMENTS.has(detail ?? '')) return true;
  const keyword = /^[a-z_]+/i.exec(text)?.[0].toLowerCase();
  if (createTemporary.test(text)) return true;
  if ((keyword === 'select' || keyword === 'with') && selectIntoTemporary.test(text)) return true;
  return sessionFunctions.test(text);
}
