/** Options of {@link LatencyTracker}. Bad values throw `TypeError`. */
export interface LatencyTrackerOptions {
  /** Clock in milliseconds. Injected in tests; read only when a method is called. @default () => Date.now() */
  readonly now?: (() => number) | undefined;
  /**
   * Age at which a measured round trip counts half. Old samples fade with it, and after long silence the
   * estimate drifts back to the prior (the distance estimate), so an isolate that moved re-learns.
   * @default 10_000
   */
  readonly halfLifeMs?: number | undefined;
  /**
   * Weight of the prior in sample-equivalents. Small: one fresh sample dominates it; it takes over again
   * after about `halfLifeMs * log2(samples / priorWeight)` of silence (~1 minute for a single sample).
   * @default 0.02
   */
  readonly priorWeight?: number | undefined;
  /** How many recent round trips feed {@link LatencyTracker.percentileMs}. @default 32 */
  readonly sampleCapacity?: number | undefined;
  /** Round trips older than this are left out of percentiles. @default 60_000 */
  readonly percentileWindowMs?: number | undefined;
  /** Fewer recent samples than this and `percentileMs` answers `undefined`. @default 5 */
  readonly minPercentileSamples?: number | undefined;
  /** Half-life of the recent-load counter used to spread requests. @default 5_000 */
  readonly loadHalfLifeMs?: number | undefined;
}

/**
 * What edge-db knows about the speed and load of one node, cheap enough to consult on every query:
 *
 * - a time-decayed average of measured round trips, blended with a prior (usually the distance estimate);
 * - a recent high percentile (p95 by default) from a small ring buffer, to decide when to hedge;
 * - the number of requests in flight and a decaying count of recent requests, for power-of-two-choices.
 *
 * ### Examples
 * ```ts
 * const tracker = new LatencyTracker({ halfLifeMs: 10_000 })
 * tracker.begin()
 * const started = Date.now()
 * await runQuery()
 * tracker.end()
 * tracker.record(Date.now() - started)
 * tracker.estimateMs(estimateRttMs(distanceKm)) // blended estimate
 * tracker.percentileMs(0.95) // undefined until 5 recent samples
 * ```
 */
export class LatencyTracker {
  readonly #now: () => number;
  #slowBefore = false;
  readonly #decayPerMs: number;
  readonly #loadDecayPerMs: number;
  readonly #priorWeight: number;
  readonly #percentileWindowMs: number;
  readonly #minPercentileSamples: number;
  readonly #samples: Float64Array;
  readonly #sampleTimes: Float64Array;
  #sampleCount = 0;
  #nextSample = 0;
  #weightedSum = 0;
  #weight = 0;
  #weightAt = 0;
  #inFlight = 0;
  #load = 0;
  #loadAt = 0;

  constructor(options: LatencyTrackerOptions = {}) {
    const halfLifeMs = positive(options.halfLifeMs, 10_000, 'halfLifeMs');
    const loadHalfLifeMs = positive(options.loadHalfLifeMs, 5_000, 'loadHalfLifeMs');
    const capacity = positive(options.sampleCapacity, 32, 'sampleCapacity');
    if (!Number.isInteger(capacity)) throw new TypeError('sampleCapacity must be a positive integer');
    this.#now = options.now ?? (() => Date.now());
    this.#decayPerMs = Math.LN2 / halfLifeMs;
    this.#loadDecayPerMs = Math.LN2 / loadHalfLifeMs;
    this.#priorWeight = positive(options.priorWeight, 0.02, 'priorWeight');
    this.#percentileWindowMs = positive(options.percentileWindowMs, 60_000, 'percentileWindowMs');
    this.#minPercentileSamples = positive(options.minPercentileSamples, 5, 'minPercentileSamples');
    this.#samples = new Float64Array(capacity);
    this.#sampleTimes = new Float64Array(capacity);
  }

  /**
   * Adds one measured round trip in milliseconds. Non-finite values are ignored, negative ones count as 0.
   * A lone slow answer counts as at most `OUTLIER_FACTOR` times the average plus `OUTLIER_SLACK_MS`: one
   * answer that queued behind a stall must not make a near node look far until it fades; two slow answers
   * in a row count in full, so a node that really slowed down is followed at once.
   */
  record(rttMs: number): void {
    if (!Number.isFinite(rttMs)) return;
    const now = this.#now();
    const decay = this.#decayTo(now);
    const current = this.#weight * decay > this.#priorWeight ? this.#weightedSum / this.#weight : undefined;
    const raw = Math.max(0, rttMs);
    const cap = current === undefined ? Infinity : current * OUTLIER_FACTOR + OUTLIER_SLACK_MS;
    // A second slow answer in a row is the node's new speed, not a stall: it counts in full.
    const value = raw > cap && !this.#slowBefore ? cap : raw;
    this.#slowBefore = raw > cap;
    this.#weightedSum = this.#weightedSum * decay + value;
    this.#weight = this.#weight * decay + 1;
    this.#samples[this.#nextSample] = raw;
    this.#sampleTimes[this.#nextSample] = now;
    this.#nextSample = (this.#nextSample + 1) % this.#samples.length;
    this.#sampleCount = Math.min(this.#sampleCount + 1, this.#samples.length);
  }

  /**
   * Expected round trip in milliseconds: the decayed average of measurements blended with `priorMs`.
   * Without measurements it is `priorMs`; without either it is `undefined`.
   */
  estimateMs(priorMs?: number): number | undefined {
    const weight = this.#weight * this.#decayTo(this.#now(), false);
    const prior = priorMs !== undefined && Number.isFinite(priorMs) ? priorMs : undefined;
    if (weight === 0) return prior;
    // Decay scales sum and weight alike, so the measured mean is the undecayed ratio.
    const measured = this.#weightedSum / this.#weight;
    if (prior === undefined) return measured;
    return (measured * weight + prior * this.#priorWeight) / (weight + this.#priorWeight);
  }

  /** True while measurements outweigh the prior, i.e. the estimate is mostly measured. */
  isMeasured(): boolean {
    return this.#weight * this.#decayTo(this.#now(), false) > this.#priorWeight;
  }

  /**
   * The `quantile` (0..1) of round trips seen within `percentileWindowMs`, or `undefined` with fewer than
   * `minPercentileSamples` of them. Nearest-rank method over at most `sampleCapacity` samples.
   */
  percentileMs(quantile = 0.95): number | undefined {
    const oldest = this.#now() - this.#percentileWindowMs;
    const recent: number[] = [];
    for (let i = 0; i < this.#sampleCount; i++) {
      if (this.#sampleTimes[i]! >= oldest) recent.push(this.#samples[i]!);
    }
    if (recent.length === 0 || recent.length < this.#minPercentileSamples) return undefined;
    recent.sort((a, b) => a - b);
    const rank = Math.ceil(Math.min(1, Math.max(0, quantile)) * recent.length);
    return recent[Math.max(0, rank - 1)];
  }

  /** Marks the start of a request to this node (in-flight count and recent load). */
  begin(): void {
    const now = this.#now();
    this.#load = this.#load * decayFactor(now - this.#loadAt, this.#loadDecayPerMs) + 1;
    this.#loadAt = now;
    this.#inFlight++;
  }

  /** Marks the end of a request started with {@link LatencyTracker.begin}, whatever its outcome. */
  end(): void {
    if (this.#inFlight > 0) this.#inFlight--;
  }

  /** Requests started with `begin` and not yet ended. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests started recently, each fading with `loadHalfLifeMs`. */
  recentLoad(): number {
    return this.#load * decayFactor(this.#now() - this.#loadAt, this.#loadDecayPerMs);
  }

  #decayTo(now: number, advance = true): number {
    const factor = decayFactor(now - this.#weightAt, this.#decayPerMs);
    if (advance) this.#weightAt = Math.max(this.#weightAt, now);
    return factor;
  }
}

const OUTLIER_FACTOR = 4;
const OUTLIER_SLACK_MS = 10;

function decayFactor(elapsedMs: number, perMs: number): number {
  // A clock that steps back (or a Worker's clock frozen between I/O) must not inflate weights.
  return elapsedMs > 0 ? Math.exp(-elapsedMs * perMs) : 1;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive finite number`);
  }
  return value;
}
