import { readFileSync } from 'node:fs';
import type { ReplicationState } from './replication-state.js';
import type { EngineDatabase } from './sqlite-engine.js';
import { GENERATIONS_PATH } from './sync-endpoints.js';

/** What the embedded replica records about its progress in `<db>-info`. */
interface ReplicaInfo {
  readonly generation: number;
  readonly frame: number;
}

function readReplicaInfo(dbPath: string): ReplicaInfo {
  try {
    const info = JSON.parse(readFileSync(`${dbPath}-info`, 'utf8')) as {
      durable_frame_num?: number;
      generation?: number;
    };
    return { generation: info.generation ?? 1, frame: info.durable_frame_num ?? 0 };
  } catch {
    return { generation: 1, frame: 0 };
  }
}

/** Options of {@link ReplicaPuller}. */
export interface ReplicaPullerOptions {
  readonly dbPath: string;
  readonly syncUrl: string;
  readonly authToken: string | undefined;
  readonly intervalMs: number;
  /** The replica's index; the puller advances it after each pull. */
  readonly replication: ReplicationState;
}

/**
 * Pulls the primary's WAL frames into an embedded replica on an interval. `sync()` blocks this thread for
 * one HTTP round trip to the primary's sync listener, which is why each replica has a process of its own.
 *
 * The replica's replication index is the primary's: the base index of the generation it is in (read once per
 * generation from the primary) plus the last commit frame it applied in that generation.
 */
export class ReplicaPuller {
  readonly #options: ReplicaPullerOptions;
  readonly #db: EngineDatabase;
  readonly #bases = new Map<number, bigint>([[1, 0n]]);
  #intervalMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #paused = false;
  #stopped = false;
  #running: Promise<void> | undefined;
  #lastError: string | undefined;

  constructor(db: EngineDatabase, options: ReplicaPullerOptions) {
    this.#db = db;
    this.#options = options;
    this.#intervalMs = options.intervalMs;
  }

  /** Pulls once now (the initial catch-up), then on the interval. */
  async start(): Promise<void> {
    await this.pullNow();
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** Takes effect at once: a pull already scheduled is rescheduled with the new interval. */
  set intervalMs(ms: number) {
    this.#intervalMs = ms;
    if (this.#timer === undefined) return;
    this.#clearTimer();
    this.#schedule();
  }

  pause(): void {
    this.#paused = true;
    this.#clearTimer();
  }

  resume(): void {
    this.#paused = false;
    this.#schedule();
  }

  /** Pulls at once (unless paused or stopped) and resolves when that pull is done. */
  async pullNow(): Promise<void> {
    if (this.#paused || this.#stopped) return;
    // A pull in flight already brings what there is; one more after it catches frames committed meanwhile.
    while (this.#running !== undefined) await this.#running;
    this.#clearTimer();
    this.#running = this.#pull();
    try {
      await this.#running;
    } finally {
      this.#running = undefined;
      this.#schedule();
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#clearTimer();
  }

  async #pull(): Promise<void> {
    try {
      this.#db.sync();
      this.#lastError = undefined;
    } catch (error) {
      this.#report(`pull failed: ${String(error)}`);
    }
    const info = readReplicaInfo(this.#options.dbPath);
    const base = this.#bases.get(info.generation) ?? (await this.#fetchBase(info.generation));
    if (base !== undefined) this.#options.replication.advance(base + BigInt(info.frame));
  }

  async #fetchBase(generation: number): Promise<bigint | undefined> {
    try {
      const response = await fetch(`${this.#options.syncUrl}${GENERATIONS_PATH}`, {
        headers:
          this.#options.authToken === undefined ? {} : { authorization: `Bearer ${this.#options.authToken}` },
        signal: AbortSignal.timeout(5000),
      });
      const body = (await response.json()) as { bases?: Record<string, string> };
      for (const [key, value] of Object.entries(body.bases ?? {}))
        this.#bases.set(Number(key), BigInt(value));
    } catch (error) {
      this.#report(`could not read generation bases: ${String(error)}`);
    }
    return this.#bases.get(generation);
  }

  #report(message: string): void {
    if (message !== this.#lastError) {
      process.stderr.write(`edge-db libSQL replica ${this.#options.dbPath}: ${message}\n`);
    }
    this.#lastError = message;
  }

  #schedule(): void {
    if (this.#paused || this.#stopped || this.#timer !== undefined || this.#running !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.pullNow();
    }, this.#intervalMs);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
