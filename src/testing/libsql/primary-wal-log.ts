import { copyFileSync, rmSync, statSync } from 'node:fs';
import type { EngineDatabase } from './sqlite-engine.js';
import { WalCommitTracker } from './wal-commit-tracker.js';

/** A finished generation kept for replicas that have not pulled all of its frames yet. */
interface ArchivedGeneration {
  readonly tracker: WalCommitTracker;
  readonly path: string;
}

/** What a replica gets for `/sync/{generation}/{start}/{end}`. */
export type FramesAnswer =
  | { readonly kind: 'frames'; readonly frames: Buffer }
  | { readonly kind: 'end'; readonly generation: number }
  | { readonly kind: 'gone'; readonly generation: number };

/**
 * The primary's replication log: its WAL, split into sync generations. Replicas address frames by
 * (generation, frame number from 1), as libSQL's sync protocol does; a checkpoint truncates the WAL and
 * starts the next generation, and an embedded replica that reaches the end of a generation checkpoints
 * its own WAL and continues with frame 1 of the next one.
 *
 * The replication index clients see stays monotonic across generations: it is the number of committed
 * frames of all earlier generations (the generation's `base`) plus the frame number in the current one.
 * Replicas read the bases from `/edge-db/generations` to report the same indexes.
 *
 * Each generation serves `/export` from a copy of the database file taken when it started (a checkpoint
 * that a reader interrupts may have written part of the WAL into the live file), and a finished generation's
 * WAL is archived so replicas that lag behind can still finish it; the last `keepGenerations` are kept.
 */
export class PrimaryWalLog {
  readonly #dbPath: string;
  readonly #keeper: EngineDatabase;
  readonly #keepGenerations: number;
  readonly #wal: WalCommitTracker;
  readonly #bases = new Map<number, bigint>([[1, 0n]]);
  readonly #archives = new Map<number, ArchivedGeneration>();
  #generation = 1;
  #exportPath: string;

  constructor(dbPath: string, keeper: EngineDatabase, keepGenerations: number) {
    this.#dbPath = dbPath;
    this.#keeper = keeper;
    this.#keepGenerations = keepGenerations;
    this.#wal = new WalCommitTracker(`${dbPath}-wal`);
    this.#exportPath = this.#snapshot();
  }

  /** The current generation. */
  get generation(): number {
    return this.#generation;
  }

  /** The replication index of the last commit (base of the generation plus its last commit frame). */
  index(): bigint {
    return this.#base(this.#generation) + BigInt(this.#wal.refresh());
  }

  /** Committed frames in the current generation's WAL. */
  frames(): number {
    return this.#wal.refresh();
  }

  /** Every known generation's base index, as decimal strings (JSON has no 64-bit integers). */
  bases(): Record<string, string> {
    return Object.fromEntries([...this.#bases].map(([generation, base]) => [generation, base.toString()]));
  }

  /**
   * Checkpoints the whole WAL into the database file and truncates it, then starts a new generation.
   * Returns `false` when there is nothing to checkpoint or a reader or writer keeps the WAL busy.
   */
  checkpoint(): boolean {
    const last = this.#wal.refresh();
    if (last === 0) return false;
    const generation = this.#generation;
    const archivePath = `${this.#dbPath}-gen${generation}.wal`;
    // Copied before the checkpoint: afterwards the frames exist nowhere else.
    copyFileSync(`${this.#dbPath}-wal`, archivePath);
    let complete = false;
    try {
      // [busy, frames in the WAL, frames checkpointed]. TRUNCATE may report busy after copying every frame
      // (another connection of this process still has the WAL open): the WAL is then restarted by the next
      // write instead of truncated now, which is the same generation boundary.
      const [, walFrames, done] = this.#keeper
        .prepare('PRAGMA wal_checkpoint(TRUNCATE)')
        .raw(true)
        .all()[0] as bigint[];
      complete =
        statSync(`${this.#dbPath}-wal`).size === 0 ||
        (walFrames !== undefined && walFrames === done && walFrames >= BigInt(last));
    } catch {
      complete = false;
    }
    if (!complete) {
      rmSync(archivePath, { force: true });
      return false;
    }
    const archived = new WalCommitTracker(archivePath);
    archived.refresh();
    this.#archives.set(generation, { tracker: archived, path: archivePath });
    this.#bases.set(generation + 1, this.#base(generation) + BigInt(last));
    this.#generation = generation + 1;
    this.#wal.reset();
    const previousExport = this.#exportPath;
    this.#exportPath = this.#snapshot();
    rmSync(previousExport, { force: true });
    for (const [old, entry] of this.#archives) {
      if (old > generation - this.#keepGenerations) continue;
      entry.tracker.close();
      rmSync(entry.path, { force: true });
      this.#archives.delete(old);
    }
    return true;
  }

  /** Frames `[start, end)` of `generation`, or where the replica must go instead. */
  readFrames(generation: number, start: number, end: number): FramesAnswer {
    if (generation === this.#generation) {
      const frames = this.#wal.readFrames(start, end);
      return frames.length > 0 ? { kind: 'frames', frames } : { kind: 'end', generation };
    }
    if (generation > this.#generation) return { kind: 'end', generation: this.#generation };
    const archived = this.#archives.get(generation);
    if (archived === undefined) return { kind: 'gone', generation: this.#generation };
    const frames = archived.tracker.readFrames(start, end);
    // At the end of a finished generation the replica checkpoints and moves on to the next one.
    return frames.length > 0 ? { kind: 'frames', frames } : { kind: 'end', generation: this.#generation };
  }

  /** The database file as of frame 0 of `generation`, if that is the current generation. */
  exportPath(generation: number): string | undefined {
    return generation === this.#generation ? this.#exportPath : undefined;
  }

  /** Closes the WAL readers and removes the snapshots and archives. */
  close(): void {
    this.#wal.close();
    rmSync(this.#exportPath, { force: true });
    for (const entry of this.#archives.values()) {
      entry.tracker.close();
      rmSync(entry.path, { force: true });
    }
    this.#archives.clear();
  }

  #base(generation: number): bigint {
    return this.#bases.get(generation) ?? 0n;
  }

  #snapshot(): string {
    const path = `${this.#dbPath}-gen${this.#generation}.export`;
    copyFileSync(this.#dbPath, path);
    return path;
  }
}
