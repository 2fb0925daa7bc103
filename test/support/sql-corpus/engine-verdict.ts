/**
 * What the database engine itself did with a statement:
 * - `accepted`: it ran in a read-only transaction on the primary and on a standby (or a read-only libSQL
 *   connection): a replica may serve it;
 * - `refused`: it ran on the read-write primary but failed read-only or on the standby (SQLSTATE 25006
 *   "read-only transaction", "cannot execute ... during recovery", `SQLITE_READONLY`, ...): only the primary
 *   can serve it;
 * - `invalid`: it fails on the read-write primary too (syntax, missing objects, bad sample arguments): it
 *   says nothing about routing and is left out of the counts.
 */
export type EngineVerdict =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'refused'; readonly where: string; readonly code: string; readonly message: string }
  | { readonly kind: 'invalid'; readonly code: string; readonly message: string };

/** An error as the engine reported it, reduced to what the report prints. */
export function errorFacts(error: unknown): { code: string; message: string } {
  const record = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown };
  const message = error instanceof Error ? error.message : String(error);
  return { code: typeof record.code === 'string' ? record.code : 'none', message: message.slice(0, 160) };
}
