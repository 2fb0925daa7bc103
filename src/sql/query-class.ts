/**
 * Why a statement must run on the primary, or `read` when any node may serve it.
 *
 * - `read`: nothing in the statement writes, locks or changes session state.
 * - `write`: INSERT/UPDATE/DELETE/MERGE anywhere (including data-modifying CTEs and subqueries), `SELECT INTO`.
 * - `ddl`: schema changes (CREATE/ALTER/DROP/...).
 * - `lock`: `FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE`, `LOCK TABLE`.
 * - `side-effect`: a function with effects or session state (`nextval`, `pg_advisory_lock`, `set_config`, ...).
 * - `session`: session statements (`SET`, `LISTEN`, `PREPARE`, `DECLARE`, `PRAGMA`, ...).
 * - `transaction-control`: BEGIN/COMMIT/ROLLBACK/SAVEPOINT written as SQL.
 * - `unknown`: the statement could not be recognised as read-only; unknown always means primary.
 */
export type QueryClassReason =
  | 'read'
  | 'write'
  | 'ddl'
  | 'lock'
  | 'side-effect'
  | 'session'
  | 'transaction-control'
  | 'unknown';

/** The routing-relevant class of one statement. */
export interface QueryClass {
  /** `true` when only the primary may run the statement. */
  readonly requiresPrimary: boolean;
  readonly reason: QueryClassReason;
  /** A short human explanation for route events and dry runs, e.g. `calls nextval()`. */
  readonly detail?: string;
}

export const READ_CLASS: QueryClass = Object.freeze({ requiresPrimary: false, reason: 'read' });

/** Builds a class that pins the statement to the primary. */
export function primaryClass(reason: Exclude<QueryClassReason, 'read'>, detail?: string): QueryClass {
  return detail === undefined ? { requiresPrimary: true, reason } : { requiresPrimary: true, reason, detail };
}
