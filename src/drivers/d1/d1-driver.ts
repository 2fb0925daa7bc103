import type { DatabaseConnection, Driver } from 'kysely';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import {
  NATIVE_TRANSACTIONS,
  ROUTE_DETAIL,
  SESSION_BOOKMARKS,
  type SessionBookmarks,
} from '../driver-capabilities.js';
import type { D1DatabaseLike } from './d1-binding.js';
import { D1Connection } from './d1-connection.js';
import { type D1SessionConstraint, D1SessionState } from './d1-session-state.js';

/**
 * Kysely driver for Cloudflare D1: one D1 session per driver (Kysely makes one driver per instance, and
 * `edgeDb` one instance per request), so every statement of a request reads at least what it wrote and
 * read. `edgeDb` starts the session from its token's bookmark; alone, it starts at `constraint`.
 *
 * ### Examples
 * ```ts
 * const driver = new D1Driver(env.DB, 'first-primary')
 * const connection = await driver.acquireConnection()
 * ```
 */
export class D1Driver implements Driver {
  /** D1 has no interactive transactions: begin/commit are refused here, not sent as SQL. */
  readonly [NATIVE_TRANSACTIONS] = true;
  readonly [SESSION_BOOKMARKS]: SessionBookmarks;
  readonly #state: D1SessionState;
  readonly #nodeName: string;
  #destroyed = false;

  constructor(binding: D1DatabaseLike, constraint: D1SessionConstraint, nodeName = 'd1') {
    this.#state = new D1SessionState(binding, constraint);
    this.#nodeName = nodeName;
    const state = this.#state;
    this[SESSION_BOOKMARKS] = {
      start: (from) => state.start(from),
      current: () => state.bookmark(),
    };
  }

  /** Where D1 served the last statement, for route events (`served_by_region`, `served_by_primary`). */
  [ROUTE_DETAIL](): string | undefined {
    const meta = this.#state.lastMeta;
    if (meta === undefined) return undefined;
    const parts: string[] = [];
    if (typeof meta.served_by_region === 'string') parts.push(`served_by_region=${meta.served_by_region}`);
    if (typeof meta.served_by_primary === 'boolean')
      parts.push(`served_by_primary=${meta.served_by_primary}`);
    return parts.length === 0 ? undefined : parts.join(' ');
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#destroyed) {
      throw new EdgeDbError(
        'DESTROYED',
        `The D1 driver of ${this.#nodeName} was destroyed; create a new Kysely instance.`,
      );
    }
    return new D1Connection(this.#state);
  }

  async beginTransaction(): Promise<void> {
    throw new EdgeDbError(
      'UNSUPPORTED',
      'D1 has no interactive transactions, so db.transaction() cannot run on edge-db/d1. Write several ' +
        "statements atomically with d1Batch(db, [...queries]) from 'edge-db/d1' (one D1 batch, rolled back " +
        'as a whole when a statement fails).',
    );
  }

  async commitTransaction(): Promise<void> {
    await this.beginTransaction();
  }

  async rollbackTransaction(): Promise<void> {
    await this.beginTransaction();
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    this.#destroyed = true;
  }
}
