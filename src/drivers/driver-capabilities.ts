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

/**
 * Set on a Kysely `Driver` whose database keeps the session itself and names positions with its own text (a
 * D1 Sessions API bookmark): edge-db starts the driver's session from the token's text and puts the session's
 * current text into the tokens it issues.
 */
export const SESSION_BOOKMARKS: unique symbol = Symbol.for('edge-db.session-bookmarks') as never;

/** What a driver declaring {@link SESSION_BOOKMARKS} offers. */
export interface SessionBookmarks {
  /** Where the session starts: a token's bookmark, else the primary (`strong`) or any node. Before any query. */
  start(from: { readonly bookmark: string | undefined; readonly strong: boolean }): void;
  /** The newest bookmark the session has seen (or started from), if any. */
  current(): string | undefined;
}

/** The {@link SessionBookmarks} of `driver`, when it declares them. */
export function sessionBookmarksOf(driver: object): SessionBookmarks | undefined {
  const bookmarks = (driver as { [SESSION_BOOKMARKS]?: unknown })[SESSION_BOOKMARKS];
  return typeof bookmarks === 'object' && bookmarks !== null ? (bookmarks as SessionBookmarks) : undefined;
}
