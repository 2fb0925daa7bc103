import type { InvalidationTarget, PendingLoad } from './cache-entry.js';

/**
 * The loads of a cache still in flight, by key: an invalidation marks the ones it matches, so a result read
 * before a write is handed to its callers but never stored.
 */
export class PendingLoads {
  readonly #pending = new Map<string, Set<PendingLoad>>();

  track(key: string, pending: PendingLoad): void {
    let pendings = this.#pending.get(key);
    if (pendings === undefined) {
      pendings = new Set();
      this.#pending.set(key, pendings);
    }
    pendings.add(pending);
  }

  untrack(key: string, pending: PendingLoad): void {
    const pendings = this.#pending.get(key);
    if (pendings === undefined) return;
    pendings.delete(pending);
    if (pendings.size === 0) this.#pending.delete(key);
  }

  /** Keys with a load in flight. */
  keys(): IterableIterator<string> {
    return this.#pending.keys();
  }

  /** Marks every load of `scope` (or of any scope) that `matches` as invalidated; adds their keys to `into`. */
  invalidate(
    scope: string | undefined,
    matches: (target: InvalidationTarget) => boolean,
    into: Set<string>,
  ): void {
    for (const [key, pendings] of this.#pending) {
      for (const pending of pendings) {
        if ((scope === undefined || pending.scope === scope) && matches(pending)) {
          pending.invalidated = true;
          into.add(key);
        }
      }
    }
  }

  /** Marks every load in flight as invalidated. */
  invalidateAll(): void {
    for (const pendings of this.#pending.values()) for (const pending of pendings) pending.invalidated = true;
  }
}
