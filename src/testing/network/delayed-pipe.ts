import type { Socket } from 'node:net';

/** A chunk in flight; `data: null` stands for the sender's FIN. */
interface InFlight {
  readonly data: Buffer | null;
  readonly dueAt: number;
}

/** Bytes queued (in flight plus unflushed at the destination) above which the source stops being read. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

/**
 * One direction of a relayed connection: every chunk read from `source` is written to the destination
 * `latencyMs` later, in arrival order. Internal to the latency relay.
 *
 * Order is kept by delivering strictly first in, first out: when the latency is lowered, a later chunk
 * waits for the earlier ones instead of overtaking them.
 */
export class DelayedPipe {
  readonly #source: Socket;
  readonly #latencyMs: () => number;
  readonly #isFlowing: () => boolean;
  #destination: Socket | undefined;
  #queue: InFlight[] = [];
  #head = 0;
  #queuedBytes = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;
  #disposed = false;

  constructor(source: Socket, latencyMs: () => number, isFlowing: () => boolean) {
    this.#source = source;
    this.#latencyMs = latencyMs;
    this.#isFlowing = isFlowing;
    source.on('data', (data: Buffer) => this.#enqueue(data));
    source.on('end', () => this.#enqueue(null));
    this.#updateBackpressure();
  }

  /** Sets where chunks go; until then they stay queued (a connection accepted while blackholed). */
  attach(destination: Socket): void {
    this.#destination = destination;
    destination.on('drain', () => this.pump());
    this.pump();
  }

  /** Delivers every chunk that is due, then sleeps until the next one is. Call after a mode change. */
  pump(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const destination = this.#destination;
    if (this.#disposed || destination === undefined || !this.#isFlowing()) {
      this.#updateBackpressure();
      return;
    }
    const now = performance.now();
    while (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head]!;
      if (next.dueAt > now) {
        this.#timer = setTimeout(() => this.pump(), Math.ceil(next.dueAt - now));
        break;
      }
      this.#head += 1;
      if (next.data === null) {
        destination.end();
      } else {
        this.#queuedBytes -= next.data.length;
        if (!destination.destroyed) destination.write(next.data);
      }
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    this.#updateBackpressure();
  }

  /** Drops everything still in flight and stops timers. */
  dispose(): void {
    this.#disposed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
    this.#head = 0;
    this.#queuedBytes = 0;
  }

  #enqueue(data: Buffer | null): void {
    if (this.#disposed || this.#ended) return;
    if (data === null) this.#ended = true;
    else this.#queuedBytes += data.length;
    this.#queue.push({ data, dueAt: performance.now() + this.#latencyMs() });
    // With no delay and nothing ahead of it, deliver now rather than on a timer.
    if (this.#timer === undefined) this.pump();
    else this.#updateBackpressure();
  }

  #updateBackpressure(): void {
    if (this.#source.destroyed) return;
    const unflushed = this.#destination?.writableLength ?? 0;
    const shouldRead =
      !this.#disposed && this.#isFlowing() && this.#queuedBytes + unflushed < HIGH_WATER_BYTES;
    if (shouldRead && this.#source.isPaused()) this.#source.resume();
    else if (!shouldRead && !this.#source.isPaused()) this.#source.pause();
  }
}
