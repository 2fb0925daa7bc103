import { functionEffects } from './function-catalogue.js';
import { type SqlToken, sqlReadings } from './tokenize-sql.js';

/** SQL keywords that read the clock without parentheses. */
const clockKeywords = new Set([
  'current_timestamp',
  'current_date',
  'current_time',
  'localtimestamp',
  'localtime',
]);

/** PostgreSQL's special date inputs, volatile when cast: `'now'::timestamptz`, `timestamp 'today'`. */
const specialDateInputs = new Set(['now', 'today', 'tomorrow', 'yesterday']);
const dateTypeWords = new Set(['timestamp', 'timestamptz', 'date', 'time', 'timetz']);

/**
 * True when the SQL calls something whose result changes from one execution to the next, so its rows must
 * not be cached: PostgreSQL's `now()`, `random()`, `clock_timestamp()`, `statement_timestamp()`,
 * `transaction_timestamp()`, `timeofday()`, sequence functions, `gen_random_uuid()`, `uuid_generate_*()`,
 * `txid_current()`, `pg_current_wal_*()`; the keywords `current_timestamp`, `current_date`, `current_time`,
 * `localtimestamp`, `localtime`; `'now'::timestamp`-style casts; SQLite's `random()`, `randomblob()`,
 * `changes()`, `last_insert_rowid()`, `total_changes()` and `date`/`time`/`datetime`/`julianday`/`strftime`/
 * `unixepoch` with a `'now'` argument or no argument.
 *
 * Case-insensitive. String literals, quoted identifiers and comments are skipped when matching names, so
 * `select 'now()'` or a column named `"random"` are not volatile (a quoted name followed by `(` is still a call).
 * A `'now'` passed as a bind parameter cannot be seen here.
 *
 * ### Examples
 * ```ts
 * isVolatileSql('select * from event where at > now()') // true
 * isVolatileSql("select * from event where note = 'now()' -- random()") // false
 * isVolatileSql("select datetime('now')") // true
 * ```
 */
export function isVolatileSql(sql: string): boolean {
  // PostgreSQL's reading sees every word either engine runs, except names SQLite alone quotes (`` `now`() ``,
  // `[random]()`): those come from SQLite's reading. Its words are not used: where the readings differ they
  // are PostgreSQL's literals (`$$ now() $$`), and a rows-are-volatile mistake only costs cache hits.
  return sqlReadings(sql).some(({ dialect, tokens }) => hasVolatileCall(tokens, dialect === 'sqlite'));
}

function hasVolatileCall(tokens: readonly SqlToken[], quotedOnly: boolean): boolean {
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as SqlToken;
    const next = tokens[index + 1];
    const isCall = next?.type === 'punct' && next.value === '(';
    if (quotedOnly && token.type !== 'quoted') continue;
    if (token.type === 'word') {
      if (clockKeywords.has(token.value)) return true;
      if (isCall) {
        const effects = functionEffects(token.value);
        if (effects.volatile) return true;
        if (effects.volatileWithNow && callReadsNow(tokens, index + 1)) return true;
      }
    } else if (token.type === 'quoted') {
      if (isCall && functionEffects(token.value).volatile) return true;
    } else if (token.type === 'string' && specialDateInputs.has(token.value.trim().toLowerCase())) {
      const previous = tokens[index - 1];
      const castAfter = next?.type === 'punct' && next.value === '::';
      const castAs = next?.type === 'word' && next.value === 'as';
      const typedBefore = previous?.type === 'word' && dateTypeWords.has(previous.value);
      if (castAfter || castAs || typedBefore) return true;
    }
  }
  return false;
}

/** `open` is the index of the call's `(`: true for an empty argument list or a `'now'` literal inside it. */
function callReadsNow(tokens: readonly SqlToken[], open: number): boolean {
  const first = tokens[open + 1];
  if (first?.type === 'punct' && first.value === ')') return true;
  let depth = 0;
  for (let index = open; index < tokens.length; index++) {
    const token = tokens[index] as SqlToken;
    if (token.type === 'punct' && token.value === '(') depth++;
    else if (token.type === 'punct' && token.value === ')') {
      depth--;
      if (depth === 0) return false;
    } else if (token.type === 'string' && token.value.trim().toLowerCase() === 'now') return true;
  }
  return false;
}
