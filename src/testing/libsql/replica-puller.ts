import { readFileSync, rmSync } from 'node:fs';
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
  /** Opens the embedded replica again (after its files were removed: a fresh bootstrap). */
  readonly reopen: () => EngineDatabase;
  /** Called before the files are removed, to close every other connection to them. */
  readonly onRebootstrap: () => void;
}

// The primary answers 410 for a generation it no longer keeps: the replica cannot catch up frame by frame.
const GENERATION_GONE = /PullFrame\(410\b/;

/**
 * Pulls the primary's WAL frames into an embedded replica on an interval. `sync()` blocks this thread for
 * one HTTP round trip to the primary's sync listener, which is why each replica has a process of its own.
 *
 * The replica's replication index is the primary's: the base index of the generation it is in (read once per
 * generation from the primary) plus the last commit frame it applied in that generation.
 */
export class ReplicaPuller {
  readonly #options: ReplicaPullerOptions;
  #db: EngineDatabase;
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

  /** True between `pause()` and `resume()`. */
  get paused(): boolean {
    return this.#paused;
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
      if (GENERATION_GONE.test(String(error))) this.#rebootstrap();
      else this.#report(`pull failed: ${String(error)}`);
    }
    const info = readReplicaInfo(this.#options.dbPath);
    const base = this.#bases.get(info.generation) ?? (await this.#fetchBase(info.generation));
    if (base !== undefined) this.#options.replication.advance(base + BigInt(info.frame));
  }

  // A replica further behind than the primary keeps generations starts over from the primary's export, as
  // a new replica would. Its open streams end; its index only moves forward.
  #rebootstrap(): void {
    this.#report('fell behind the generations the primary keeps; bootstrapping again from its export');
    this.#options.onRebootstrap();
    this.#db.close();
    for (const suffix of ['', '-wal', '-shm', '-info'])
      rmSync(`${this.#options.dbPath}${suffix}`, { force: true });
    try {
      this.#db = this.#options.reopen();
    } catch (error) {
      this.#report(`bootstrap failed: ${String(error)}`);
      throw error;
    }
  }

  /** Stops pulling and closes the embedded replica. */
  close(): void {
    this.stop();
    this.#db.close();
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
