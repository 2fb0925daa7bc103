import type { DatabaseConnection } from 'kysely';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { RoutedNode } from '../routed-node.js';
import { acquireConnection } from './acquire-connection.js';

/**
 * The real connections one routing connection holds, at most one per node: acquired on first use, kept for
 * the routing connection's life (transactions and `db.connection()` blocks stay on one real connection per
 * node), released together at the end.
 *
 * Most routing connections hold one (a statement runs on one node): it is kept in two fields, and a map is
 * made only for a second node.
 */
export class HeldConnections {
  #node: RoutedNode | undefined;
  #connection: DatabaseConnection | undefined;
  #others: Map<RoutedNode, DatabaseConnection> | undefined;

  /** The node's real connection, acquired within `timeoutMs` on first use (held ones come back at once). */
  acquire(node: RoutedNode, timeoutMs: number): Promise<DatabaseConnection> | DatabaseConnection {
    return this.get(node) ?? this.#acquire(node, timeoutMs);
  }

  #acquire(node: RoutedNode, timeoutMs: number): Promise<DatabaseConnection> {
    return acquireConnection(node, timeoutMs).then((connection) => {
      if (this.#node === undefined || this.#node === node) {
        this.#node = node;
        this.#connection = connection;
      } else {
        this.#others ??= new Map();
        this.#others.set(node, connection);
      }
      return connection;
    });
  }

  /** The node's connection if one is held. */
  get(node: RoutedNode): DatabaseConnection | undefined {
    return this.#node === node ? this.#connection : this.#others?.get(node);
  }

  /** Every held connection. */
  *entries(): IterableIterator<[RoutedNode, DatabaseConnection]> {
    if (this.#node !== undefined) yield [this.#node, this.#connection!];
    if (this.#others !== undefined) yield* this.#others.entries();
  }

  /**
   * Forgets the node's connection and hands it back once `running` (a query still on it) settles, so it is
   * never reused while busy.
   */
  detach(node: RoutedNode, connection: DatabaseConnection, running?: Promise<unknown>): void {
    if (this.get(node) !== connection) return;
    this.#forget(node);
    void (running ?? Promise.resolve())
      .catch(() => undefined)
      .finally(() => node.driver.releaseConnection(connection).catch(() => undefined));
  }

  /** Drops a node's connection after it failed, so a later statement gets a fresh one. */
  discard(node: RoutedNode): void {
    const connection = this.get(node);
    if (connection !== undefined) this.detach(node, connection);
  }

  /** Releases every held connection (failures are gathered); nothing held (a cache hit) settles at once, with no async frame. */
  releaseAll(): Promise<void> {
    if (this.#node === undefined && (this.#others === undefined || this.#others.size === 0)) return RELEASED;
    return this.#releaseAll();
  }

  #releaseAll(): Promise<void> {
    if (this.#others === undefined || this.#others.size === 0) {
      // One connection (a statement ran on one node): no async frame.
      const node = this.#node!;
      const connection = this.#connection!;
      this.#forget(node);
      try {
        return Promise.resolve(node.driver.releaseConnection(connection)).catch(releaseFailed);
      } catch (error) {
        // A driver that throws instead of rejecting.
        return Promise.reject(lifecycleFailed(error));
      }
    }
    return this.#releaseMany(this.#others);
  }

  async #releaseMany(others: Map<RoutedNode, DatabaseConnection>): Promise<void> {
    const held = [...this.entries()];
    this.#node = undefined;
    this.#connection = undefined;
    others.clear();
    const results = await Promise.allSettled(
      held.map(([node, connection]) => node.driver.releaseConnection(connection)),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      throw lifecycleFailed(new AggregateError(failed.map((f) => f.reason)));
    }
  }

  #forget(node: RoutedNode): void {
    if (this.#node === node) {
      this.#node = undefined;
      this.#connection = undefined;
    } else {
      this.#others?.delete(node);
    }
  }
}

const RELEASED: Promise<void> = Promise.resolve();

function releaseFailed(error: unknown): never {
  throw lifecycleFailed(error);
}

function lifecycleFailed(cause: unknown): EdgeDbError {
  return new EdgeDbError('LIFECYCLE_FAILED', 'releasing a connection failed', { cause });
}
