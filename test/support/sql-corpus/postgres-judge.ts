import pg from 'pg';
import type { CorpusStatement } from './corpus-statement.js';
import { type EngineVerdict, errorFacts } from './engine-verdict.js';

/** Sent after every statement: leaves no session state (locks, prepared statements, settings, slots) behind. */
const RESET_SESSION = [
  // DISCARD ALL refuses to share a message with other statements (an implicit transaction block).
  'discard all',
  `set statement_timeout = 5000; set lock_timeout = 2000;
   select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name like 'edb%' and not active`,
];
/** SQLSTATE of "cannot run inside a transaction block" (VACUUM, CREATE INDEX CONCURRENTLY, ...). */
const NOT_IN_TRANSACTION = '25001';
/** Client-side bound, above the server's statement_timeout, so no statement (a COPY, say) can hang the run. */
const QUERY_TIMEOUT_MS = 15_000;

/**
 * Runs statements on a real primary and hot standby and reports what PostgreSQL itself decided:
 * each statement runs inside `BEGIN` (read-write, as the baseline of validity), `BEGIN READ ONLY` on the
 * primary and `BEGIN` on the standby, always rolled back. Statements that refuse transaction blocks run in
 * autocommit on the standby and with `default_transaction_read_only` on the primary.
 */
export class PostgresJudge {
  readonly #primaryUrl: string;
  readonly #standbyUrl: string;
  #primary: pg.Client | undefined;
  #standby: pg.Client | undefined;

  private constructor(primaryUrl: string, standbyUrl: string) {
    this.#primaryUrl = primaryUrl;
    this.#standbyUrl = standbyUrl;
  }

  static async open(primaryUrl: string, standbyUrl: string): Promise<PostgresJudge> {
    const judge = new PostgresJudge(primaryUrl, standbyUrl);
    await judge.#connectPrimary();
    await judge.#connectStandby();
    return judge;
  }

  async judge(statement: CorpusStatement): Promise<EngineVerdict> {
    const { sql, parameters } = statement.query;
    const values = parameters.length === 0 ? undefined : [...parameters];
    const baseline = await this.#onPrimary('begin', sql, values);
    if (baseline !== undefined && baseline.code !== NOT_IN_TRANSACTION)
      return { kind: 'invalid', ...baseline };
    const autocommit = baseline !== undefined;
    const readOnly = autocommit
      ? await this.#onPrimary('set default_transaction_read_only = on', sql, values, false)
      : await this.#onPrimary('begin read only', sql, values);
    const standby = await this.#onStandby(autocommit ? undefined : 'begin', sql, values);
    for (const [where, failure] of [
      ['read-only primary', readOnly],
      ['standby', standby],
    ] as const) {
      if (failure === undefined) continue;
      if (isRefusal(failure)) return { kind: 'refused', where, ...failure };
      // Not caused by read-only mode (a multi-statement VACUUM, a name another session created meanwhile).
      return { kind: 'invalid', code: failure.code, message: `${where} only: ${failure.message}` };
    }
    return { kind: 'accepted' };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#primary?.end(), this.#standby?.end()]);
  }

  async #onPrimary(prelude: string, sql: string, values: unknown[] | undefined, rollback = true) {
    const client = this.#primary!;
    const failure = await run(client, prelude, sql, values, rollback);
    if (failure?.lost) await this.#connectPrimary();
    return failure?.facts;
  }

  async #onStandby(prelude: string | undefined, sql: string, values: unknown[] | undefined) {
    const failure = await run(this.#standby!, prelude, sql, values, prelude !== undefined);
    if (failure?.lost) await this.#connectStandby();
    return failure?.facts;
  }

  async #connectPrimary(): Promise<void> {
    await this.#primary?.end().catch(() => undefined);
    this.#primary = await connect(this.#primaryUrl);
  }

  async #connectStandby(): Promise<void> {
    await this.#standby?.end().catch(() => undefined);
    this.#standby = await connect(this.#standbyUrl);
  }
}

/**
 * PostgreSQL's ways of refusing a statement because the transaction is read-only or the server is in
 * recovery: SQLSTATE 25006, or 55000/XX000/0A000 with a message about recovery ("recovery is in progress",
 * "cannot assign OIDs during recovery").
 */
function isRefusal(failure: { code: string; message: string }): boolean {
  return failure.code === '25006' || /recovery|read-only|hot standby/i.test(failure.message);
}

interface Failure {
  readonly facts: { code: string; message: string };
  /** The connection is gone (the statement ended its own backend): reconnect before the next statement. */
  readonly lost: boolean;
}

async function run(
  client: pg.Client,
  prelude: string | undefined,
  sql: string,
  values: unknown[] | undefined,
  rollback: boolean,
): Promise<Failure | undefined> {
  let failure: Failure | undefined;
  try {
    if (prelude !== undefined) await client.query(prelude);
    await client.query(sql, values);
  } catch (error) {
    failure = { facts: errorFacts(error), lost: !isServerError(error) };
  }
  if (failure?.lost) return failure;
  try {
    if (rollback) await client.query('rollback');
    for (const text of RESET_SESSION) await client.query(text);
  } catch (error) {
    return failure ?? { facts: errorFacts(error), lost: true };
  }
  return failure;
}

function isServerError(error: unknown): boolean {
  return error instanceof pg.DatabaseError;
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 5_000,
    query_timeout: QUERY_TIMEOUT_MS,
  });
  // A statement that terminates its own backend must not crash the run.
  client.on('error', () => undefined);
  await client.connect();
  for (const text of RESET_SESSION) await client.query(text);
  return client;
}
