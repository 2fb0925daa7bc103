/**
 * The parts of a Cloudflare D1 binding (`env.DB`) edge-db uses, described structurally so the package never
 * imports `@cloudflare/workers-types`: a real binding, miniflare's, or a test fake all fit.
 *
 * ### Examples
 * ```ts
 * const binding: D1DatabaseLike = env.DB
 * const session = binding.withSession('first-unconstrained')
 * ```
 */
export interface D1DatabaseLike {
  /** Starts a session at a constraint (`first-unconstrained`, `first-primary`) or a bookmark. */
  withSession(constraintOrBookmark: string): D1SessionLike;
}

/** A D1 session: statements see at least every write made or seen through it (sequential consistency). */
export interface D1SessionLike {
  prepare(query: string): D1PreparedStatementLike;
  batch(statements: D1PreparedStatementLike[]): Promise<D1ResultLike[]>;
  /** The newest bookmark the session has seen, or `null` before its first statement. */
  getBookmark(): string | null;
}

/** A prepared D1 statement. */
export interface D1PreparedStatementLike {
  bind(...values: unknown[]): D1PreparedStatementLike;
  all(): Promise<D1ResultLike>;
}

/** What D1 answers for one statement. */
export interface D1ResultLike {
  readonly results?: readonly Record<string, unknown>[] | undefined;
  readonly meta?: D1MetaLike | undefined;
}

/** The statement's metadata; `served_by_region` and `served_by_primary` come from replicated databases. */
export interface D1MetaLike {
  readonly changes?: number | undefined;
  readonly last_row_id?: number | undefined;
  readonly served_by?: string | undefined;
  readonly served_by_region?: string | undefined;
  readonly served_by_primary?: boolean | undefined;
  readonly [key: string]: unknown;
}
