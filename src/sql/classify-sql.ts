import { classifyExplain, classifyPostgresCopy } from './classify-utility.js';
import { functionEffects } from './function-catalogue.js';
import { primaryClass, type QueryClass, READ_CLASS } from './query-class.js';
import { type SqlDialect, type SqlToken, sqlReadings } from './tokenize-sql.js';

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
  'analyse',
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
/** The words a SQLite statement can begin with; SQLite refuses anything else before running it. */
const SQLITE_STATEMENTS = new Set([
  'select',
  'values',
  'with',
  'explain',
  'insert',
  'replace',
  'update',
  'delete',
  'create',
  'drop',
  'alter',
  'pragma',
  'attach',
  'detach',
  'vacuum',
  'analyze',
  'reindex',
  'begin',
  'commit',
  'end',
  'rollback',
  'savepoint',
  'release',
]);
/** The statement a SQLite `WITH` prefix can lead to, besides SELECT. */
const SQLITE_WITH_WRITES = new Set(['insert', 'replace', 'update', 'delete']);

/**
 * SQLite pragmas that only report the schema, the same on every copy of the database (a replica answers as
 * the primary would); their argument names a table or an index. Others change the connection or the file, or
 * report the connection's own state.
 */
const SCHEMA_PRAGMAS = new Set([
  'table_info',
  'table_xinfo',
  'table_list',
  'index_list',
  'index_info',
  'index_xinfo',
  'foreign_key_list',
  'collation_list',
  'function_list',
  'pragma_list',
  'compile_options',
]);
/** Pragmas that report a database header field when given no argument (`user_version(3)` sets it). */
const HEADER_PRAGMAS = new Set(['user_version', 'application_id', 'schema_version']);

/** SQLite stops at a statement it cannot parse: nothing from there on runs. */
const STOP = 'stop';

/**
 * Classifies SQL text (raw `sql` queries, and Kysely-built SELECTs as a second check) for routing.
 * A statement may go to a replica only when every statement in the text is recognised as read-only:
 * SELECT, VALUES, TABLE, SHOW, EXPLAIN without ANALYZE (of any statement PostgreSQL only plans), COPY TO
 * STDOUT, WITH without a data-modifying part, and no locking clause, `INTO`, or function that writes anywhere.
 * Everything else, including anything unrecognised, is routed to the primary.
 *
 * The text is read as PostgreSQL reads it and, when the two differ (comments ended by `\r`, nested block
 * comments, `E'...'`, dollar quotes, `U&` names, brackets, backticks), as SQLite reads it too; it goes to a
 * replica only when both readings are read-only.
 *
 * ### Examples
 * ```ts
 * classifySql('-- report\nselect count(*) from orders').requiresPrimary // false
 * classifySql('select nextval(\'seq\')').reason // 'side-effect'
 * classifySql('select * from t -- note\rfor update').reason // 'lock' (PostgreSQL ends the comment at \r)
 * ```
 */
export function classifySql(sql: string): QueryClass {
  let sawStatement = false;
  for (const { dialect, tokens } of sqlReadings(sql)) {
    const verdict = classifyReading(tokens, dialect);
    if (verdict === 'empty') continue;
    if (verdict.requiresPrimary) return verdict;
    sawStatement = true;
  }
  return sawStatement ? READ_CLASS : primaryClass('unknown', 'empty statement');
}

function classifyReading(tokens: readonly SqlToken[], dialect: SqlDialect): QueryClass | 'empty' {
  let statementStart = 0;
  let sawStatement = false;
  for (let i = 0; i <= tokens.length; i++) {
    const token = tokens[i];
    if (token === undefined || (token.type === 'punct' && token.value === ';')) {
      if (i > statementStart) {
        const verdict = classifyStatement(tokens.slice(statementStart, i), dialect);
        if (verdict === STOP) return sawStatement ? READ_CLASS : 'empty';
        if (verdict.requiresPrimary) return verdict;
        sawStatement = true;
      }
      statementStart = i + 1;
    }
  }
  return sawStatement ? READ_CLASS : 'empty';
}

/** The class of one statement (no `;` inside) as `dialect` reads it. */
function classifyStatement(tokens: readonly SqlToken[], dialect: SqlDialect): QueryClass | typeof STOP {
  let offset = 0;
  // A parenthesised query: `(select ...) union (select ...)`
  while (tokens[offset]?.type === 'punct' && tokens[offset]!.value === '(') offset++;
  const first = tokens[offset];
  if (first?.type !== 'word') {
    return dialect === 'sqlite' && offset === 0 ? STOP : primaryClass('unknown', 'unrecognised statement');
  }
  const keyword = first.value;
  if (dialect === 'sqlite' && !SQLITE_STATEMENTS.has(keyword)) return STOP;
  if (TRANSACTION_WORDS.has(keyword)) return primaryClass('transaction-control', keyword.toUpperCase());
  if (keyword === 'copy' && dialect === 'postgres')
    return classifyPostgresCopy(tokens, offset, classifyStatement);
  if (WRITE_WORDS.has(keyword)) return primaryClass('write', keyword.toUpperCase());
  if (DDL_WORDS.has(keyword)) return primaryClass('ddl', keyword.toUpperCase());
  if (keyword === 'pragma' && readsSchemaPragma(tokens, offset)) return READ_CLASS;
  if (SESSION_WORDS.has(keyword)) return primaryClass('session', keyword.toUpperCase());
  if (!READ_STATEMENTS.has(keyword))
    return primaryClass('unknown', `unrecognised statement ${keyword.toUpperCase()}`);
  if (keyword === 'explain') return classifyExplain(tokens, offset, dialect, classifyStatement);
  return dialect === 'sqlite' ? scanSqliteRead(tokens, offset) : scanPostgresRead(tokens, offset);
}

/** A PostgreSQL read statement writes when anything in it writes, locks, creates a table or calls a writer. */
function scanPostgresRead(tokens: readonly SqlToken[], offset: number): QueryClass {
  for (let i = offset; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if (token.type === 'quoted') {
      if (isCall(next) && functionEffects(token.value).writes) {
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
    if (isCall(next) && functionEffects(word).writes) {
      return primaryClass('side-effect', `calls ${word}()`);
    }
  }
  return READ_CLASS;
}

/**
 * A SQLite SELECT or VALUES cannot contain a write (SQLite has no data-modifying subqueries, CTEs, row locks
 * or SELECT INTO): only a function call can have effects. A `WITH` prefix can lead to INSERT, REPLACE,
 * UPDATE or DELETE, which then stands outside every parenthesis.
 */
function scanSqliteRead(tokens: readonly SqlToken[], offset: number): QueryClass {
  let depth = 0;
  const isWith = tokens[offset]?.type === 'word' && tokens[offset]!.value === 'with';
  for (let i = offset; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if (token.type === 'punct') {
      if (token.value === '(') depth++;
      else if (token.value === ')') depth = Math.max(0, depth - 1);
      continue;
    }
    if (token.type !== 'word' && token.type !== 'quoted') continue;
    if (isCall(next)) {
      if (functionEffects(token.value).writes) return primaryClass('side-effect', `calls ${token.value}()`);
      continue;
    }
    if (isWith && depth === 0 && token.type === 'word' && SQLITE_WITH_WRITES.has(token.value)) {
      return primaryClass('write', `${token.value.toUpperCase()} inside the statement`);
    }
  }
  return READ_CLASS;
}

/** `PRAGMA [schema.]name` of a schema or header pragma, or `PRAGMA [schema.]name(table)` of a schema pragma. */
function readsSchemaPragma(tokens: readonly SqlToken[], offset: number): boolean {
  let at = offset + 1;
  if (tokens[at + 1]?.type === 'punct' && tokens[at + 1]!.value === '.') at += 2;
  const name = tokens[at];
  if (name?.type !== 'word') return false;
  const rest = tokens.slice(at + 1);
  if (HEADER_PRAGMAS.has(name.value)) return rest.length === 0;
  if (!SCHEMA_PRAGMAS.has(name.value)) return false;
  if (rest.length === 0) return true;
  // Exactly `( argument )`: a name or a string, nothing else.
  return (
    rest.length === 3 &&
    isCall(rest[0]) &&
    (rest[1]!.type === 'word' || rest[1]!.type === 'quoted' || rest[1]!.type === 'string') &&
    rest[2]!.type === 'punct' &&
    rest[2]!.value === ')'
  );
}

function isCall(token: SqlToken | undefined): boolean {
  return token?.type === 'punct' && token.value === '(';
}
