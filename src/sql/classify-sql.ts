import { functionEffects } from './function-catalogue.js';
import { primaryClass, type QueryClass, READ_CLASS } from './query-class.js';
import { type SqlToken, tokenizeSql } from './tokenize-sql.js';

const READ_STATEMENTS = new Set(['select', 'values', 'table', 'show', 'with', 'explain']);
const WRITE_WORDS = new Set(['insert', 'update', 'delete', 'merge', 'upsert', 'replace', 'truncate', 'copy']);
const TRANSACTION_WORDS = new Set([
  'begin',
  'start',
  'commit',
  'end',
  'rollback',
  'abort',
  'savepoint',
  'release',
]);
const SESSION_WORDS = new Set([
  'set',
  'reset',
  'listen',
  'unlisten',
  'notify',
  'prepare',
  'execute',
  'deallocate',
  'declare',
  'fetch',
  'move',
  'close',
  'discard',
  'load',
  'pragma',
  'attach',
  'detach',
  'vacuum',
  'analyze',
  'reindex',
  'cluster',
  'checkpoint',
  'lock',
  'call',
  'do',
]);
const DDL_WORDS = new Set([
  'create',
  'alter',
  'drop',
  'comment',
  'grant',
  'revoke',
  'security',
  'refresh',
  'import',
]);

/**
 * Classifies SQL text (raw `sql` queries, and Kysely-built SELECTs as a second check) for routing.
 * A statement may go to a replica only when every statement in the text is recognised as read-only:
 * SELECT, VALUES, TABLE, SHOW, EXPLAIN without ANALYZE, WITH without a data-modifying part, and no locking
 * clause, `INTO`, or side-effect function anywhere. Everything else, including anything unrecognised, is
 * routed to the primary.
 *
 * ### Examples
 * ```ts
 * classifySql('-- report\nselect count(*) from orders').requiresPrimary // false
 * classifySql('select nextval(\'seq\')').reason // 'side-effect'
 * ```
 */
export function classifySql(sql: string): QueryClass {
  // SQLite does not nest block comments but PostgreSQL does: text whose meaning depends on which one reads it
  // is not classified.
  if (hasNestedBlockComment(sql)) return primaryClass('unknown', 'nested block comment');
  // Keywords, names and punctuation decide; literals never do. Quoted names only count as function names.
  const tokens = tokenizeSql(sql).filter((token) => token.type !== 'string');
  let statementStart = 0;
  let sawStatement = false;
  for (let i = 0; i <= tokens.length; i++) {
    const token = tokens[i];
    if (token === undefined || (token.type === 'punct' && token.value === ';')) {
      if (i > statementStart) {
        const verdict = classifyStatement(tokens.slice(statementStart, i));
        if (verdict.requiresPrimary) return verdict;
        sawStatement = true;
      }
      statementStart = i + 1;
    }
  }
  return sawStatement ? READ_CLASS : primaryClass('unknown', 'empty statement');
}

function classifyStatement(tokens: readonly SqlToken[]): QueryClass {
  let first = tokens[0];
  let offset = 0;
  // A parenthesised query: `(select ...) union (select ...)`
  while (first?.type === 'punct' && first.value === '(') {
    offset++;
    first = tokens[offset];
  }
  if (first === undefined || first.type !== 'word') return primaryClass('unknown', 'unrecognised statement');
  const keyword = first.value;
  if (TRANSACTION_WORDS.has(keyword)) return primaryClass('transaction-control', keyword.toUpperCase());
  if (WRITE_WORDS.has(keyword)) return primaryClass('write', keyword.toUpperCase());
  if (DDL_WORDS.has(keyword)) return primaryClass('ddl', keyword.toUpperCase());
  if (SESSION_WORDS.has(keyword)) return primaryClass('session', keyword.toUpperCase());
  if (!READ_STATEMENTS.has(keyword))
    return primaryClass('unknown', `unrecognised statement ${keyword.toUpperCase()}`);
  if (keyword === 'explain' && explainAnalyzes(tokens))
    return primaryClass('write', 'EXPLAIN ANALYZE runs the statement');
  return scanReadStatement(tokens, offset);
}

/** EXPLAIN ANALYZE executes its statement; `EXPLAIN (ANALYZE false)` does not, but we stay conservative. */
function explainAnalyzes(tokens: readonly SqlToken[]): boolean {
  for (let i = 1; i < tokens.length && i < 16; i++) {
    const token = tokens[i]!;
    if (token.type === 'word' && (token.value === 'analyze' || token.value === 'analyse')) return true;
    if (token.type === 'word' && READ_STATEMENTS.has(token.value)) return false;
  }
  return false;
}

function scanReadStatement(tokens: readonly SqlToken[], offset: number): QueryClass {
  for (let i = offset; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if (token.type === 'quoted') {
      if (next?.type === 'punct' && next.value === '(' && functionEffects(token.value).writes) {
        return primaryClass('side-effect', `calls ${token.value}()`);
      }
      continue;
    }
    if (token.type !== 'word') continue;
    const word = token.value;
    if (WRITE_WORDS.has(word) && word !== 'replace' && word !== 'copy') {
      return primaryClass('write', `${word.toUpperCase()} inside the statement`);
    }
    if (word === 'into') return primaryClass('write', 'SELECT INTO creates a table');
    if (word === 'for' && next?.type === 'word' && ['update', 'share', 'no', 'key'].includes(next.value)) {
      return primaryClass('lock', `FOR ${next.value.toUpperCase()}`);
    }
    if (next?.type === 'punct' && next.value === '(' && functionEffects(word).writes) {
      return primaryClass('side-effect', `calls ${word}()`);
    }
  }
  return READ_CLASS;
}

/** True when a block comment opens inside another one (outside string literals, roughly: conservative). */
function hasNestedBlockComment(sql: string): boolean {
  let open = sql.indexOf('/*');
  while (open !== -1) {
    const close = sql.indexOf('*/', open + 2);
    const inner = sql.indexOf('/*', open + 2);
    if (inner !== -1 && (close === -1 || inner < close)) return true;
    if (close === -1) return false;
    open = sql.indexOf('/*', close + 2);
  }
  return false;
}
