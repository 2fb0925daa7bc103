import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { D1DatabaseLike, D1MetaLike, D1SessionLike } from './d1-binding.js';
import { newerBookmark } from './d1-bookmark.js';

/** Where a D1 session starts when no bookmark is given: D1's own constraints. */
export type D1SessionConstraint = 'first-unconstrained' | 'first-primary';

/**
 * The one D1 session of a driver instance (one `edgeDb` instance, so one request): created on first use
 * from the bookmark or constraint set before, kept for every statement after, so D1 gives the request
 * sequential consistency and the token carries its newest bookmark.
 */
export class D1SessionState {
  readonly #binding: D1DatabaseLike;
  readonly #constraint: D1SessionConstraint;
  #start: string;
  #session: D1SessionLike | undefined;
  /** The bookmark the session was started from, until D1 reports a newer one. */
  #startBookmark: string | undefined;
  /** Where D1 served the last statement (replicated databases report it). */
  lastMeta: D1MetaLike | undefined;

  constructor(binding: D1DatabaseLike, constraint: D1SessionConstraint) {
    this.#binding = binding;
    this.#constraint = constraint;
    this.#start = constraint;
  }

  /** Sets where the session starts. Ignored once a statement ran: a D1 session cannot move. */
  start(from: { readonly bookmark: string | undefined; readonly strong: boolean }): void {
    if (this.#session !== undefined) return;
    this.#startBookmark = from.bookmark;
    this.#start = from.bookmark ?? (from.strong ? 'first-primary' : this.#constraint);
  }

  /** The session, created on first use. */
  session(): D1SessionLike {
    if (this.#session === undefined) {
      try {
        this.#session = this.#binding.withSession(this.#start);
      } catch (error) {
        throw new EdgeDbError(
          'CONFIG_INVALID',
          'the D1 binding could not start a session (withSession failed): pass the D1 binding itself (env.DB) ' +
            'of a Workers runtime with the D1 Sessions API (compatibility date 2025-04-01 or later)',
          { cause: error },
        );
      }
    }
    return this.#session;
  }

  /** The newest bookmark the session has (or was started from). */
  bookmark(): string | undefined {
    return newerBookmark(this.#startBookmark, this.#session?.getBookmark() ?? undefined);
  }
}
