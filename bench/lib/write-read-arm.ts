import { performance } from 'node:perf_hooks';
import type { InterleavedArm, RoundContext } from './interleave.js';

/** One request that writes, then a second request that reads the written row back. */
export interface WriteReadCycle {
  /** Writes row `id`; resolves what the second request needs (e.g. a token). */
  write(id: number): Promise<unknown>;
  /** Reads row `id` back with what `write` resolved; resolves whether the row was there. */
  read(id: number, carried: unknown): Promise<boolean>;
}

/**
 * An interleaved arm of one write-then-read cycle per round: keeps the write and the read durations apart,
 * one value per measured round (so rounds pair with other arms), and counts stale reads.
 */
export class WriteReadArm implements InterleavedArm {
  readonly writes: number[] = [];
  readonly reads: number[] = [];
  stale = 0;
  readonly name: string;
  readonly #cycle: WriteReadCycle;
  readonly #nextId: () => number;

  constructor(name: string, cycle: WriteReadCycle, nextId: () => number) {
    this.name = name;
    this.#cycle = cycle;
    this.#nextId = nextId;
  }

  async run(context: RoundContext): Promise<void> {
    const id = this.#nextId();
    const t0 = performance.now();
    const carried = await this.#cycle.write(id);
    const t1 = performance.now();
    const found = await this.#cycle.read(id, carried);
    const t2 = performance.now();
    if (context.warmup) return;
    this.writes.push(t1 - t0);
    this.reads.push(t2 - t1);
    if (!found) this.stale++;
  }

  /** Per-round write + read durations. */
  get totals(): number[] {
    return this.writes.map((w, i) => w + this.reads[i]!);
  }
}
