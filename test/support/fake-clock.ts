/** A manual clock with timers for unit tests of time-dependent routing logic. */
export class FakeClock {
  #time = 0;
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  readonly now = (): number => this.#time;

  readonly setTimeout = (callback: () => void, ms: number): number => {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#time + Math.max(0, ms), callback });
    return id;
  };

  readonly clearTimeout = (id: unknown): void => {
    this.#timers.delete(id as number);
  };

  /** Timers scheduled and neither fired nor cleared. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward, firing due timers in order and letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const target = this.#time + ms;
    for (;;) {
      await settle();
      let dueId: number | undefined;
      let dueAt = Number.POSITIVE_INFINITY;
      for (const [id, timer] of this.#timers) {
        if (timer.at <= target && timer.at < dueAt) {
          dueId = id;
          dueAt = timer.at;
        }
      }
      if (dueId === undefined) break;
      const timer = this.#timers.get(dueId)!;
      this.#timers.delete(dueId);
      this.#time = dueAt;
      timer.callback();
    }
    this.#time = target;
    await settle();
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
