import type { QueryResult } from 'kysely';

/** Commands whose row count Kysely reports as `numAffectedRows`, as its PostgreSQL driver does. */
const rowCountCommands = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/**
 * Converts a node-postgres style result (both of Neon's transports produce one) into Kysely's shape.
 * `COMMIT`/`ROLLBACK` return their command tag as a row so a commit that PostgreSQL turned into a rollback
 * is detectable, like Kysely's own PostgreSQL driver.
 */
export function toQueryResult<R>(result: {
  readonly command: string;
  readonly rowCount: number | null;
  readonly rows: readonly unknown[];
}): QueryResult<R> {
  if (result.command === 'COMMIT' || result.command === 'ROLLBACK') {
    return { rows: [{ command: result.command }] as R[] };
  }
  return {
    ...(rowCountCommands.has(result.command) ? { numAffectedRows: BigInt(result.rowCount ?? 0) } : {}),
    rows: (result.rows ?? []) as R[],
  };
}
