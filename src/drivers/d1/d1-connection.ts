import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { D1_BATCH, isD1Batch } from './d1-batch.js';
import type { D1PreparedStatementLike, D1ResultLike } from './d1-binding.js';
import { d1QueryResult } from './d1-query-result.js';
import type { D1SessionState } from './d1-session-state.js';

const D1_CONNECTION = Symbol.for('edge-db.d1.connection');

/**
 * A Kysely connection over the driver's D1 session. Cheap: every connection of one driver shares its one
 * session (D1 sessions are plain objects; the request's statements all belong to it). D1's own errors
 * (`D1_ERROR: ...`) pass through unchanged.
 *
 * ### Examples
 * ```ts
 * const connection = await driver.acquireConnection()
 * if (D1Connection.is(connection)) console.log(connection.bookmark)
 * ```
 */
export class D1Connection implements DatabaseConnection {
  readonly [D1_CONNECTION] = true;
  readonly #state: D1SessionState;

  constructor(state: D1SessionState) {
    this.#state = state;
  }

  /** True for connections of the D1 driver, across duplicate copies of edge-db. */
  static is(connection: unknown): connection is D1Connection {
    return typeof connection === 'object' && connection !== null && D1_CONNECTION in connection;
  }

  /** The newest bookmark of the session. */
  get bookmark(): string | undefined {
    return this.#state.bookmark();
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.#execute<R>(compiledQuery);
    } catch (error) {
      throw withSqliteCode(error);
    }
  }

  async #execute<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const session = this.#state.session();
    if (isD1Batch(compiledQuery)) {
      const statements = compiledQuery[D1_BATCH].map((query) => this.#prepare(query));
      const results = await session.batch(statements);
      this.#state.lastMeta = results.at(-1)?.meta;
      const rows = compiledQuery[D1_BATCH].map(
        (query, i) => d1QueryResult<unknown>(results[i] ?? {}, query.query).rows,
      );
      return { rows: rows as R[] };
    }
    const result: D1ResultLike = await this.#prepare(compiledQuery).all();
    this.#state.lastMeta = result.meta;
    return d1QueryResult<R>(result, compiledQuery.query);
  }

  // biome-ignore lint/correctness/useYield: streaming is refused before the first row on purpose.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new EdgeDbError(
      'UNSUPPORTED',
      'D1 has no cursors, so edge-db/d1 cannot stream without buffering the whole result. Use .execute() with ' +
        'limit/offset or keyset pagination instead of .stream().',
    );
  }

  #prepare(query: CompiledQuery): D1PreparedStatementLike {
    const statement = this.#state.session().prepare(query.sql);
    return query.parameters.length === 0 ? statement : statement.bind(...query.parameters);
  }
}

/**
 * D1 names the SQLite result code only in its message (`D1_ERROR: no such table: t: SQLITE_ERROR`). The
 * error passes through as D1's own, with that code copied to `code` (when it has none), so edge-db's router
 * and applications can tell a statement's fault (never retried, never an outage) from the network's.
 */
function withSqliteCode(error: unknown): unknown {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== undefined) return error;
  const code = /\b(SQLITE_[A-Z_]+)\b/.exec(error.message)?.[1];
  if (code !== undefined) {
    try {
      Object.defineProperty(error, 'code', { value: code, enumerable: true, configurable: true });
    } catch {
      // A frozen error stays as it is.
    }
  }
  return error;
}
