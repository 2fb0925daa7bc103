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
  /** When the last write committed (the session clock), for backends whose position cannot be read. */
  lastWriteAt: number | undefined;
  /** The replica a session read from when positions are unknown; reading it again keeps reads monotonic. */
  stickyReplica: string | undefined;

  constructor(initial?: ReplicationPosition) {
    this.minPosition = initial;
  }

  /** Records a committed write; `position` is the primary's position after it, if known. */
  noteWrite(position: ReplicationPosition | undefined, now: number): void {
    this.lastWriteAt = now;
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

  /** Records the primary's position learned after a pending write. */
  resolvePending(position: ReplicationPosition): void {
    this.minPosition = maxPosition(this.minPosition, position);
    this.positionPending = false;
  }
}
