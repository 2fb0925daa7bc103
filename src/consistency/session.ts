import { maxPosition, type ReplicationPosition } from './replication-position.js';

/**
 * The consistency state of one session: one `edgeDb(...)` instance, possibly continued from a token.
 * Plain data, owned by the instance.
 */
export class ConsistencySession {
  /** Every read of this session must reflect at least this position (read-your-writes + monotonic reads). */
  minPosition: ReplicationPosition | undefined;
  /** A write committed whose position is not known yet: the next read learns it from the primary. */
  positionPending = false;
  /** Counts writes; a pending position is resolved only by a read planned after the last of them. */
  writeEpoch = 0;
  /** When the last write committed (the session clock), for backends whose position cannot be read. */
  lastWriteAt: number | undefined;
  /**
   * A node this session read from without learning the position the rows reflected (a backend whose adapter
   * cannot piggy-back). Until a position is learnt, reads stay on that node or the primary, so they never go
   * back in time; a token minted meanwhile asks that node for its position first.
   */
  unlearnedNode: string | undefined;
  /** Why the token the session started from was ignored, if it was. */
  tokenError: Error | undefined;

  constructor(initial?: ReplicationPosition) {
    this.minPosition = initial;
  }

  /** Records a committed write; `position` is the primary's position after it, if known. */
  noteWrite(position: ReplicationPosition | undefined, now: number): void {
    this.lastWriteAt = now;
    this.writeEpoch++;
    if (position === undefined) {
      this.positionPending = true;
    } else {
      this.minPosition = maxPosition(this.minPosition, position);
      this.positionPending = false;
    }
  }

  /** Records the position a read observed; later reads never go back in time. */
  noteRead(position: ReplicationPosition | undefined): void {
    this.minPosition = maxPosition(this.minPosition, position);
  }

  /** Records which node served a read and what position it reported (if any). */
  noteServedBy(node: string, role: 'primary' | 'replica', position: ReplicationPosition | undefined): void {
    if (position !== undefined) {
      this.noteRead(position);
      // A learnt position of the unlearned node, or of the primary (ahead of every replica), covers it.
      if (this.unlearnedNode === node || role === 'primary') this.unlearnedNode = undefined;
    } else {
      // The primary is ahead of every replica: reading it unlearnt pins the session to it until a position is
      // learnt, so the next read cannot go back to an older replica.
      this.unlearnedNode = node;
    }
  }

  /**
   * Records the primary's position learned after a pending write. `sinceEpoch` is the write count when the read
   * that learned it was planned: a write committed meanwhile stays pending.
   */
  resolvePending(position: ReplicationPosition, sinceEpoch?: number): void {
    this.minPosition = maxPosition(this.minPosition, position);
    if (sinceEpoch === undefined || sinceEpoch === this.writeEpoch) this.positionPending = false;
  }

  /** Replaces a requirement nothing can satisfy (a token from before a restore) with the primary's position. */
  rewindTo(position: ReplicationPosition): void {
    this.minPosition = position;
    this.positionPending = false;
  }
}
