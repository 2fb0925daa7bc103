import type { ReplicationPosition } from '../../consistency/replication-position.js';

/**
 * What one tracked request window saw: the highest `replication_index` in its responses.
 */
export interface ReplicationIndexScope {
  /** The highest index seen since the scope opened, `undefined` when no response carried one. */
  readonly observed: ReplicationPosition | undefined;
  /** Stops requiring and observing for this scope. */
  close(): void;
}

interface MutableScope {
  readonly required: ReplicationPosition | undefined;
  observed: ReplicationPosition | undefined;
}

/**
 * Per-connection replication state shared by a {@link LibsqlConnection} and its `fetch` wrapper: the highest
 * `replication_index` ever seen, and the index outgoing requests must carry while a scope requires one.
 *
 * ### Examples
 * ```ts
 * const tracker = new ReplicationIndexTracker()
 * const scope = tracker.openScope(42n)
 * try {
 *   await client.execute('select 1') // the fetch wrapper sends replication_index "42"
 * } finally {
 *   scope.close()
 * }
 * console.log(scope.observed)
 * ```
 */
export class ReplicationIndexTracker {
  #highest: ReplicationPosition | undefined;
  readonly #scopes = new Set<MutableScope>();

  /** The highest index any response on this connection carried. */
  get highest(): ReplicationPosition | undefined {
    return this.#highest;
  }

  /** The index outgoing statements must carry now: the largest requirement of the open scopes. */
  get required(): ReplicationPosition | undefined {
    let required: ReplicationPosition | undefined;
    for (const scope of this.#scopes) {
      if (scope.required !== undefined && (required === undefined || scope.required > required)) {
        required = scope.required;
      }
    }
    return required;
  }

  /** Records an index read from a response. */
  observe(index: ReplicationPosition): void {
    if (this.#highest === undefined || index > this.#highest) this.#highest = index;
    for (const scope of this.#scopes) {
      if (scope.observed === undefined || index > scope.observed) scope.observed = index;
    }
  }

  /** Opens a window that requires `required` (if given) and collects the indexes responses carry. */
  openScope(required?: ReplicationPosition): ReplicationIndexScope {
    const scope: MutableScope = { required, observed: undefined };
    this.#scopes.add(scope);
    const scopes = this.#scopes;
    return {
      get observed() {
        return scope.observed;
      },
      close() {
        scopes.delete(scope);
      },
    };
  }
}
