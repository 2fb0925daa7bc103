import type { CacheEntry } from './cache-entry.js';

/**
 * The stored entries of each scope (database) of one cache, in insertion order, and the byte caps reads gave
 * their scopes: per-scope invalidation, sizes and caps without scanning the whole cache.
 */
export class CacheScopes {
  readonly #scopes = new Map<string, Map<string, CacheEntry>>();
  /** Per-scope byte caps given by reads (`CacheReadOptions.scopeMaxBytes`); the last one given wins. */
  readonly #caps = new Map<string, number>();
  readonly #capChecks = new Set<string>();
  readonly #evict: (key: string) => void;

  /** `evict` drops a key from the cache (called when a scope is over its cap). */
  constructor(evict: (key: string) => void) {
    this.#evict = evict;
  }

  /** Records a stored entry (lru-cache's `onInsert`). */
  insert(key: string, entry: CacheEntry): void {
    let entries = this.#scopes.get(entry.scope);
    if (entries === undefined) {
      entries = new Map();
      this.#scopes.set(entry.scope, entries);
    }
    entries.delete(key);
    entries.set(key, entry);
    if (this.#caps.has(entry.scope) && !this.#capChecks.has(entry.scope)) {
      // lru-cache calls this in the middle of a set: trim after it finished.
      this.#capChecks.add(entry.scope);
      queueMicrotask(() => this.#trim(entry.scope));
    }
  }

  /** Forgets a removed entry (lru-cache's `dispose`); a replaced entry's newer value stays. */
  remove(key: string, entry: CacheEntry): void {
    const entries = this.#scopes.get(entry.scope);
    if (entries?.get(key) !== entry) return;
    entries.delete(key);
    if (entries.size === 0) this.#scopes.delete(entry.scope);
  }

  /** The keys a scope holds. */
  keys(scope: string): Iterable<string> {
    return this.#scopes.get(scope)?.keys() ?? [];
  }

  /** The entries and bytes a scope holds. */
  size(scope: string): { readonly entries: number; readonly bytes: number } {
    const entries = this.#scopes.get(scope);
    let bytes = 0;
    for (const entry of entries?.values() ?? []) bytes += entry.bytes;
    return { entries: entries?.size ?? 0, bytes };
  }

  /** Sets (or, with `undefined`, lifts) the byte cap of a scope. */
  setCap(scope: string, maxBytes: number | undefined): void {
    if (maxBytes === undefined) {
      if (this.#caps.size > 0) this.#caps.delete(scope);
      return;
    }
    // Every read of a capped scope gives its cap: unchanged, nothing to do.
    if (this.#caps.get(scope) === maxBytes) return;
    this.#caps.delete(scope);
    this.#caps.set(scope, maxBytes);
    // Caps of scopes that no longer hold entries are forgotten, so the map stays bounded.
    if (this.#caps.size > this.#scopes.size + 64) {
      for (const capped of this.#caps.keys()) if (!this.#scopes.has(capped)) this.#caps.delete(capped);
    }
  }

  /** Over the scope's own cap, its oldest entries go first (never another scope's). */
  #trim(scope: string): void {
    this.#capChecks.delete(scope);
    const cap = this.#caps.get(scope);
    const entries = this.#scopes.get(scope);
    if (cap === undefined || entries === undefined) return;
    let bytes = 0;
    for (const stored of entries.values()) bytes += stored.bytes;
    for (const [oldest, entry] of [...entries]) {
      if (bytes <= cap) break;
      bytes -= entry.bytes;
      this.#evict(oldest);
    }
  }
}
