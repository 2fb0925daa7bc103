import { HranaError, primarySqliteCode } from './hrana-error.js';
import type { HranaCol, HranaDescribeResult, HranaNamedArg, HranaValue } from './hrana-types.js';
import { decodeHranaValue, encodeHranaValue, type SqliteBindValue } from './hrana-value-codec.js';
import { type ScannedSql, scanSql } from './sql-text-scanner.js';
import type { EngineDatabase, EngineStatement } from './sqlite-engine.js';
import { checkExplainLiterals, decodeGuardedValue, utf8SafeSql } from './utf8-safe-rows.js';

/** What one statement did, before the server adds the node's replication index. */
export interface StatementOutcome {
  readonly cols: HranaCol[];
  readonly rows: HranaValue[][];
  readonly affected_row_count: number;
  readonly last_insert_rowid: string | null;
}

/** A statement ready to run: its SQL text and its arguments as they came off the wire. */
export interface StatementInput {
  readonly sql: string;
  readonly args?: readonly HranaValue[] | undefined;
  readonly namedArgs?: readonly HranaNamedArg[] | undefined;
  readonly wantRows?: boolean | undefined;
}

function stripPrefix(name: string): string {
  return /^[:@$]/.test(name) ? name.slice(1) : name;
}

function bindArguments(scanned: ScannedSql, input: StatementInput): SqliteBindValue[] {
  const positional = input.args ?? [];
  const named = input.namedArgs ?? [];
  if (positional.length > scanned.parameters.length) {
    throw new HranaError(
      'ARGS_INVALID',
      `The statement has ${scanned.parameters.length} parameter(s) but ${positional.length} positional argument(s) were given`,
    );
  }
  const values: SqliteBindValue[] = scanned.parameters.map((_, i) => {
    const arg = positional[i];
    return arg === undefined ? null : decodeHranaValue(arg);
  });
  for (const arg of named) {
    const wanted = stripPrefix(arg.name);
    const slot = scanned.parameters.find((p) => p.name !== null && stripPrefix(p.name) === wanted);
    if (slot === undefined) {
      throw new HranaError(
        'ARGS_INVALID',
        `The statement has no parameter named ${JSON.stringify(arg.name)}`,
      );
    }
    // Named arguments take precedence over positional ones (Hrana spec).
    values[slot.index - 1] = decodeHranaValue(arg.value);
  }
  return values;
}

function checkSingleStatement(scanned: ScannedSql): void {
  if (scanned.isEmpty) throw new HranaError('SQL_NO_STATEMENT', 'The SQL text contains no statement');
  if (scanned.hasMoreStatements) {
    throw new HranaError(
      'SQL_MANY_STATEMENTS',
      'The SQL text contains more than one statement; use a batch or a sequence',
    );
  }
}

/** A prepared statement and what actually runs for it (the UTF-8-safe wrapper of a reader, or itself). */
interface PreparedStatement {
  readonly statement: EngineStatement;
  readonly runner: EngineStatement;
  /** Per result column: true when the runner returns it guarded (see `decodeGuardedValue`). */
  readonly guarded: readonly boolean[] | undefined;
}

/**
 * A finished EXPLAIN stays "active" inside SQLite until it is reset, and the binding offers no reset or
 * finalize: the open statement holds a table lock (a later DROP TABLE fails with SQLITE_LOCKED). `get()`
 * resets the statement after reading one row, and re-listing a program has no effect, so it is safe here.
 */
function finishExplain(statement: EngineStatement, scanned: ScannedSql, values: SqliteBindValue[]): void {
  if (scanned.isExplain) statement.get(values);
}

/**
 * One SQLite connection of the test server with Hrana semantics on top: arguments bound by index,
 * `affected_row_count` that counts only this statement's changes, `last_insert_rowid` as sqld reports it.
 * Everything here is synchronous; callers add the asynchronous SQLITE_BUSY retry.
 */
export class SqliteConnection {
  readonly #db: EngineDatabase;
  #counters: EngineStatement | undefined;
  // A statement that failed with SQLITE_BUSY stays "in progress" inside SQLite until it is reset, and the
  // binding only resets a statement when it runs again (or is garbage-collected). While one is pending,
  // COMMIT fails with "SQL statements in progress". So a retry re-runs the same statement object, and a
  // connection left with one is retired instead of pooled.
  #pendingBusy: { readonly sql: string; readonly prepared: PreparedStatement } | undefined;
  #stuck = false;

  constructor(db: EngineDatabase) {
    this.#db = db;
  }

  /** True when the connection is not inside an explicit transaction. */
  get isAutocommit(): boolean {
    return !this.#db.inTransaction;
  }

  #readCounters(): { changes: bigint; lastInsertRowid: bigint; totalChanges: bigint } {
    this.#counters ??= this.#db.prepare('SELECT changes(), last_insert_rowid(), total_changes()').raw(true);
    const row = this.#counters.all()[0] as [bigint, bigint, bigint];
    return { changes: row[0], lastInsertRowid: row[1], totalChanges: row[2] };
  }

  /** False when a statement stuck after SQLITE_BUSY: the pool closes such connections. */
  get reusable(): boolean {
    return !this.#stuck && this.#pendingBusy === undefined;
  }

  /** Runs one statement. */
  execute(input: StatementInput): StatementOutcome {
    const scanned = scanSql(input.sql);
    checkSingleStatement(scanned);
    if (scanned.isExplain) checkExplainLiterals(input.sql);
    const values = bindArguments(scanned, input);
    let prepared: PreparedStatement;
    if (this.#pendingBusy !== undefined && this.#pendingBusy.sql === input.sql) {
      prepared = this.#pendingBusy.prepared;
    } else {
      if (this.#pendingBusy !== undefined) this.#stuck = true;
      prepared = this.#prepare(input.sql, scanned);
    }
    this.#pendingBusy = undefined;
    try {
      return this.#run(prepared, scanned, input, values);
    } catch (error) {
      const code = primarySqliteCode(error);
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
        this.#pendingBusy = { sql: input.sql, prepared };
      throw error;
    }
  }

  #prepare(sql: string, scanned: ScannedSql): PreparedStatement {
    const statement = this.#db.prepare(sql);
    if (!statement.reader) return { statement, runner: statement, guarded: undefined };
    const safe = utf8SafeSql(sql, scanned, statement.columns());
    if (safe === undefined) return { statement, runner: statement, guarded: undefined };
    try {
      return { statement, runner: this.#db.prepare(safe.sql), guarded: safe.guarded };
    } catch {
      // Some readers cannot be rewritten (a CTE that refuses the body, an alias without AS): they run as is.
      return { statement, runner: statement, guarded: undefined };
    }
  }

  #run(
    prepared: PreparedStatement,
    scanned: ScannedSql,
    input: StatementInput,
    values: SqliteBindValue[],
  ): StatementOutcome {
    const { statement } = prepared;
    const before = this.#readCounters().totalChanges;
    let cols: HranaCol[] = [];
    let rows: HranaValue[][] = [];
    if (statement.reader) {
      cols = statement.columns().map((c) => ({ name: c.name, decltype: c.type }));
      const decoded = this.#readRows(prepared, scanned, values);
      if (input.wantRows !== false) rows = decoded.map((row) => row.map(encodeHranaValue));
    } else {
      statement.run(values);
    }
    const after = this.#readCounters();
    const inserts = scanned.verb === 'INSERT' || scanned.verb === 'REPLACE';
    return {
      cols,
      rows,
      affected_row_count: after.totalChanges > before ? Number(after.changes) : 0,
      // sqld reports the rowid only for INSERTs: for anything else the connection's value is stale.
      last_insert_rowid: inserts ? after.lastInsertRowid.toString() : null,
    };
  }

  // Every row is decoded, wanted or not: invalid text must not hide behind `want_rows: false` (sqld reads
  // the rows too). A write whose RETURNING rows fail to decode is undone, so an error means no effect.
  #readRows(prepared: PreparedStatement, scanned: ScannedSql, values: SqliteBindValue[]): unknown[][] {
    const { runner, guarded } = prepared;
    const decode = () => {
      const raw = runner.raw(true).all(values) as unknown[][];
      finishExplain(runner, scanned, values);
      if (guarded === undefined) return raw;
      return raw.map((row) =>
        row.map((value, column) => (guarded[column] ? decodeGuardedValue(value, column) : value)),
      );
    };
    if (guarded === undefined || scanned.returningOffset === undefined) return decode();
    this.#db.exec('SAVEPOINT edb_returning');
    try {
      const rows = decode();
      this.#db.exec('RELEASE edb_returning');
      return rows;
    } catch (error) {
      this.#db.exec('ROLLBACK TO edb_returning');
      this.#db.exec('RELEASE edb_returning');
      throw error;
    }
  }

  /** Runs several statements separated by semicolons, ignoring rows (`sequence`). */
  executeSequence(sql: string): void {
    this.#db.exec(sql);
  }

  /** Parses and analyses a statement without running it (`describe`). */
  describe(sql: string): HranaDescribeResult {
    const scanned = scanSql(sql);
    checkSingleStatement(scanned);
    // describe lists the statement's program with EXPLAIN, which must not hand the engine invalid text.
    checkExplainLiterals(sql);
    const statement = this.#db.prepare(sql);
    const cols = statement.reader ? statement.columns().map((c) => ({ name: c.name, decltype: c.type })) : [];
    return {
      params: scanned.parameters.map((p) => ({ name: p.name })),
      cols,
      is_explain: scanned.isExplain,
      is_readonly: scanned.isExplain || this.#isReadonly(sql),
    };
  }

  // The engine binding does not expose sqlite3_stmt_readonly; the bytecode tells the same: a statement
  // writes when it opens a write transaction or a table for writing.
  #isReadonly(sql: string): boolean {
    const explain = this.#db.prepare(`EXPLAIN ${sql}`).raw(true);
    const program = explain.all() as unknown[][];
    explain.get();
    return !program.some((op) => {
      const opcode = op[1];
      return (
        (opcode === 'Transaction' && op[3] !== 0n && op[3] !== 0) ||
        opcode === 'OpenWrite' ||
        opcode === 'VUpdate'
      );
    });
  }

  /** Closes the connection, rolling back an open transaction. */
  close(): void {
    try {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
    } catch {
      // Closing rolls back anyway.
    }
    this.#pendingBusy = undefined;
    this.#db.close();
  }

  /** Rolls back an open transaction (used when a stream expires or closes mid-transaction). */
  rollbackIfOpen(): void {
    if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
  }
}
