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

/**
 * Set on a Kysely `Driver` that knows where the database served its last statement (D1 reports
 * `served_by_region` and `served_by_primary`): a method returning a short text for the route event's `detail`.
 */
export const ROUTE_DETAIL: unique symbol = Symbol.for('edge-db.route-detail') as never;

/** The {@link ROUTE_DETAIL} text of `driver`'s last statement, if it has one. */
export function routeDetailOf(driver: object): string | undefined {
  const describe = (driver as { [ROUTE_DETAIL]?: unknown })[ROUTE_DETAIL];
  if (typeof describe !== 'function') return undefined;
  const detail: unknown = describe.call(driver);
  return typeof detail === 'string' ? detail : undefined;
}
