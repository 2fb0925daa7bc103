import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { EdgeDbError } from '../../errors/edge-db-error.js';

/** Page size the libSQL sync protocol assumes. */
export const SYNC_PAGE_SIZE = 4096;
const WAL_HEADER_SIZE = 32;
const FRAME_HEADER_SIZE = 24;
/** Bytes of one WAL frame on the wire: 24-byte header and one page. */
export const FRAME_SIZE = FRAME_HEADER_SIZE + SYNC_PAGE_SIZE;

/**
 * Follows the primary's `-wal` file to know its last committed frame (the replication index) and to serve
 * raw frames to replicas. Frames are numbered from 1 like libSQL's sync protocol.
 *
 * Reads are synchronous on purpose: the engine writes synchronously on the same thread, so a read never
 * sees a half-written frame. Frames after the last commit frame may belong to an open (spilled) transaction
 * and are never served.
 */
export class WalCommitTracker {
  readonly #walPath: string;
  #fd: number | undefined;
  #salts: Buffer | undefined;
  // Salts of a WAL the server checkpointed completely: SQLite restarts it (new salts) at the next write.
  #retiredSalts: Buffer | undefined;
  #lastCommit = 0;

  constructor(walPath: string) {
    this.#walPath = walPath;
  }

  /** The last committed frame after re-reading new frame headers. */
  refresh(): number {
    const fd = this.#open();
    if (fd === undefined) return this.#lastCommit;
    const size = fstatSync(fd).size;
    if (size < WAL_HEADER_SIZE) return this.#lastCommit;
    const header = Buffer.alloc(WAL_HEADER_SIZE);
    readSync(fd, header, 0, WAL_HEADER_SIZE, 0);
    const pageSize = header.readUInt32BE(8);
    if (pageSize !== SYNC_PAGE_SIZE) {
      throw new EdgeDbError(
        'TESTING_SETUP_FAILED',
        `the WAL page size is ${pageSize}; libSQL replicas need ${SYNC_PAGE_SIZE}`,
      );
    }
    const salts = header.subarray(16, 24);
    if (this.#retiredSalts?.equals(salts)) return this.#lastCommit;
    if (this.#salts === undefined) {
      this.#retiredSalts = undefined;
      this.#salts = Buffer.from(salts);
    } else if (!this.#salts.equals(salts)) {
      // The WAL restarted without `reset()`: a checkpoint the server did not run (frame numbers are void).
      throw new EdgeDbError(
        'TESTING_SETUP_FAILED',
        'the primary WAL restarted after a checkpoint the local libSQL server did not run; ' +
          'do not checkpoint its database file from another connection',
      );
    }
    const frames = Math.floor((size - WAL_HEADER_SIZE) / FRAME_SIZE);
    const frameHeader = Buffer.alloc(FRAME_HEADER_SIZE);
    for (let frame = this.#lastCommit + 1; frame <= frames; frame += 1) {
      readSync(fd, frameHeader, 0, FRAME_HEADER_SIZE, WAL_HEADER_SIZE + (frame - 1) * FRAME_SIZE);
      if (!frameHeader.subarray(8, 16).equals(this.#salts)) break;
      if (frameHeader.readUInt32BE(4) > 0) this.#lastCommit = frame;
    }
    return this.#lastCommit;
  }

  /** Raw frames `[start, end)`, cut at the last committed frame; empty when `start` is past it. */
  readFrames(start: number, end: number): Buffer {
    const last = this.refresh();
    const stop = Math.min(end - 1, last);
    if (start < 1 || stop < start) return Buffer.alloc(0);
    const fd = this.#open() as number;
    const out = Buffer.alloc((stop - start + 1) * FRAME_SIZE);
    readSync(fd, out, 0, out.length, WAL_HEADER_SIZE + (start - 1) * FRAME_SIZE);
    return out;
  }

  /**
   * Forgets every frame: the server checkpointed the whole WAL, so the next write restarts it (or it was
   * truncated). Until new salts appear, the old frames count as gone.
   */
  reset(): void {
    this.#retiredSalts = this.#salts;
    this.#salts = undefined;
    this.#lastCommit = 0;
  }

  #open(): number | undefined {
    if (this.#fd !== undefined) return this.#fd;
    try {
      this.#fd = openSync(this.#walPath, 'r');
    } catch {
      return undefined;
    }
    return this.#fd;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
