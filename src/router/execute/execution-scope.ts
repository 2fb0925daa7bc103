import type { CompiledQuery, DatabaseConnection } from 'kysely';
import type { RouterContext } from '../router-context.js';
import type { HeldConnections } from './held-connections.js';
import type { TransactionBinding } from './transaction-binding.js';

/**
 * What the statement executors share with the routing connection that runs them: the instance, the real
 * connections held, the bound transaction, and whether a `db.connection()` block is pinned to the primary.
 */
export interface ExecutionScope {
  readonly ctx: RouterContext;
  readonly held: HeldConnections;
  readonly transaction: TransactionBinding | undefined;
  /** Set by the first statement of a `db.connection()` block that needs the primary. */
  pinned: boolean;
  /**
   * Drops cached reads of what a write touched (`'unknown'`: everything of the cluster); inside a
   * transaction, remembered until it commits.
   */
  invalidate(query: CompiledQuery, tables?: readonly string[] | 'unknown'): void;
  /** A connection of its own, for work that may outlive the statement (a cache load shared by requests). */
  detached(): ExecutionScope & DatabaseConnection & { release(): Promise<void> };
}
