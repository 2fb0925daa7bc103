import { performance } from 'node:perf_hooks';
import { type MedianInterval, medianInterval } from './median-interval.js';

/** What a round tells an arm. */
export interface RoundContext {
  /** 0-based among measured rounds; negative during warm-up rounds. */
  readonly round: number;
  readonly warmup: boolean;
}

/** One system of a comparison: does its share of work for one round (and records what it measured). */
export interface InterleavedArm {
  readonly name: string;
  run(context: RoundContext): Promise<void>;
}

/** Rounds of an interleaved comparison. */
export interface InterleavePlan {
  readonly warmupRounds: number;
  readonly rounds: number;
}

/**
 * Runs the arms round by round, each arm once per round (A, B, C, then C, B, A, ...): drift on a shared machine
 * (JIT, GC, CPU frequency, other tenants) hits every arm alike, and reversing the order every round cancels the
 * advantage of going first or last. Per-round values can then be paired across arms (see {@link pairedRatio}).
 */
export async function interleave(arms: readonly InterleavedArm[], plan: InterleavePlan): Promise<void> {
  for (let r = -plan.warmupRounds; r < plan.rounds; r++) {
    const order = (r + plan.warmupRounds) % 2 === 0 ? arms : [...arms].reverse();
    for (const arm of order) await arm.run({ round: r, warmup: r < 0 });
  }
}

/**
 * An arm that times `operation`: `perRound` sequential operations per round, or, with `batchSize`, batches of
 * that many operations timed together (for sub-millisecond CPU-bound work: the timer's cost and resolution
 * would dominate a single call). Keeps every sample and one value per measured round (the round's median).
 */
export class TimedArm implements InterleavedArm {
  /** Per-operation latencies (ms) of measured rounds: single operations, or batch means with `batchSize`. */
  readonly samples: number[] = [];
  /** Median of each measured round's samples, in round order. */
  readonly rounds: number[] = [];
  readonly name: string;
  readonly #operation: (iteration: number) => Promise<void>;
  readonly #perRound: number;
  readonly #batchSize: number;
  readonly #prepare: ((iteration: number) => Promise<void>) | undefined;
  #iteration = 0;

  /**
   * `prepare` runs untimed before each sample (e.g. the write whose token the timed read must honour).
   */
  constructor(
    name: string,
    operation: (iteration: number) => Promise<void>,
    options: {
      readonly perRound: number;
      readonly batchSize?: number;
      readonly prepare?: (iteration: number) => Promise<void>;
    },
  ) {
    this.name = name;
    this.#operation = operation;
    this.#perRound = options.perRound;
    this.#batchSize = options.batchSize ?? 1;
    this.#prepare = options.prepare;
  }

  async run(context: RoundContext): Promise<void> {
    const round: number[] = [];
    for (let s = 0; s < this.#perRound; s++) {
      if (this.#prepare !== undefined) await this.#prepare(this.#iteration);
      const start = performance.now();
      for (let i = 0; i < this.#batchSize; i++) await this.#operation(this.#iteration++);
      round.push((performance.now() - start) / this.#batchSize);
    }
    if (context.warmup) return;
    this.samples.push(...round);
    this.rounds.push(medianInterval(round).median);
  }
}

/** Median and interval of per-round `a / b` (rounds paired by index). */
export function pairedRatio(a: readonly number[], b: readonly number[]): MedianInterval {
  return medianInterval(paired(a, b, (x, y) => x / y));
}

/** Median and interval of per-round `a - b` in microseconds, from values in milliseconds. */
export function pairedDifferenceUs(a: readonly number[], b: readonly number[]): MedianInterval {
  return medianInterval(paired(a, b, (x, y) => (x - y) * 1000));
}

function paired(a: readonly number[], b: readonly number[], f: (x: number, y: number) => number): number[] {
  if (a.length !== b.length || a.length === 0) {
    throw new RangeError(`paired rounds need equal, non-empty lengths, got ${a.length} and ${b.length}`);
  }
  return a.map((x, i) => f(x, b[i]!));
}
