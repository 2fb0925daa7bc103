/**
 * Set to `true` on a Kysely `Driver` whose transactions are not SQL statements on its connection (libSQL's
 * interactive transactions ride on a Hrana stream the client opens itself). Without it, edge-db sends
 * begin/commit/rollback/savepoints through the connection Kysely handed out, so Kysely's `log` sees them.
 */
export const NATIVE_TRANSACTIONS: unique symbol = Symbol.for('edge-db.native-transactions') as never;

/** True when `driver` declares {@link NATIVE_TRANSACTIONS}. */
export function hasNativeTransactions(driver: object): boolean {
  return (driver as { [NATIVE_TRANSACTIONS]?: unknown })[NATIVE_TRANSACTIONS] === true;
}
