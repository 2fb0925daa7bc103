import type { CompiledQuery, RootOperationNode } from 'kysely';
import { classifyQuery } from './classify-query.js';
import { isVolatileSql } from './is-volatile-sql.js';
import type { QueryClass } from './query-class.js';
import { readTablesOf } from './read-tables.js';
import { writtenTablesOf } from './written-tables.js';

const UNSET = Symbol('unset');

/**
 * Everything the router and the cache ask about one SQL text: its routing class, whether its rows may be
 * cached, the tables it reads and writes. Computed once per text (the last three on first use) and kept in
 * a bounded isolate-wide memo: Kysely builds a new tree and `QueryId` per call, but the same SQL text has the
 * same meaning. Never holds the query tree, so parameter values are not kept alive.
 */
export class QueryAnalysis {
  readonly queryClass: QueryClass;
  #volatile: boolean | undefined;
  #readTables: readonly string[] | undefined | typeof UNSET = UNSET;
  #writtenTables: readonly string[] | undefined | typeof UNSET = UNSET;

  constructor(queryClass: QueryClass) {
    this.queryClass = queryClass;
  }

  /** True when the SQL calls something whose answer changes between executions (never cached). */
  isVolatile(query: CompiledQuery): boolean {
    this.#volatile ??= isVolatileSql(query.sql);
    return this.#volatile;
  }

  /** The tables the query reads, or `undefined` when unknown (raw SQL). See `readTablesOf`. */
  readTables(query: CompiledQuery): readonly string[] | undefined {
    if (this.#readTables === UNSET) {
      const root = query.query as RootOperationNode | undefined;
      this.#readTables = root === undefined ? undefined : readTablesOf(root);
    }
    return this.#readTables;
  }

  /** The tables the statement writes, or `undefined` when unknown. See `writtenTablesOf`. */
  writtenTables(query: CompiledQuery): readonly string[] | undefined {
    if (this.#writtenTables === UNSET) {
      const root = query.query as RootOperationNode | undefined;
      this.#writtenTables = root === undefined ? undefined : writtenTablesOf(root);
    }
    return this.#writtenTables;
  }
}

/** How many SQL texts the memo keeps, and the longest text it keeps (longer ones are analysed every time). */
const MEMO_ENTRIES = 2048;
const MEMO_MAX_SQL_LENGTH = 8192;
const memo = new Map<string, QueryAnalysis>();

/**
 * The analysis of a compiled query, from the memo when its SQL text was seen before.
 *
 * ### Examples
 * ```ts
 * const analysis = analyzeQuery(compiled)
 * if (!analysis.queryClass.requiresPrimary && !analysis.isVolatile(compiled)) cacheIt()
 * ```
 */
export function analyzeQuery(query: CompiledQuery): QueryAnalysis {
  const sql = query.sql;
  const known = memo.get(sql);
  if (known !== undefined) return known;
  const analysis = new QueryAnalysis(classifyQuery(query));
  if (sql.length <= MEMO_MAX_SQL_LENGTH) {
    if (memo.size >= MEMO_ENTRIES) memo.delete(memo.keys().next().value as string);
    memo.set(sql, analysis);
  }
  return analysis;
}
