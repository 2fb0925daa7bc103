interface Waiter {
  readonly index: bigint;
  readonly resolve: (reached: boolean) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * The replication index a node has applied (a primary: its last committed WAL frame; a replica: the last
 * commit frame it pulled), with waiters for "at least this index".
 */
export class ReplicationState {
  #index = 0n;
  #waiters: Waiter[] = [];

  get index(): bigint {
    return this.#index;
  }

  /** Records a new index (never moves backwards) and wakes the waiters it satisfies. */
  advance(index: bigint): void {
    if (index <= this.#index) return;
    this.#index = index;
    const still: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.index <= index) {
        clearTimeout(waiter.timer);
        waiter.resolve(true);
      } else {
        still.push(waiter);
      }
    }
    this.#waiters = still;
  }

  /** Resolves `true` once the index reaches `index`, `false` after `timeoutMs`. */
  waitFor(index: bigint, timeoutMs: number): Promise<boolean> {
    if (this.#index >= index) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.timer !== timer);
        resolve(false);
      }, timeoutMs);
      this.#waiters.push({ index, resolve, timer });
    });
  }

  /** Fails every waiter (used on shutdown). */
  cancelAll(): void {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.#waiters = [];
  }
}
