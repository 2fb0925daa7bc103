import type { TransactionId } from './postgres-transaction-id.js';
import { maxPosition, type ReplicationPosition } from './replication-position.js';

/**
 * Transaction ids a session keeps at most while their commit positions are unknown; one more and the session
 * learns a position from the primary instead (as for a write whose id is unknown).
 */
export const MAX_PENDING_TRANSACTIONS = 8;

/**
 * The consistency state of one session: one `edgeDb(...)` instance, possibly continued from a token.
 * Plain data, owned by the instance.
 */
export class ConsistencySession {
  /** Every read of this session must reflect at least this position (read-your-writes + monotonic reads). */
  minPosition: ReplicationPosition | undefined;
  /** A write committed whose position is not known yet: the next read learns it from the primary. */
  positionPending = false;
  /**
   * Writes whose commit positions are not known but whose transaction ids are (PostgreSQL): a replica that
   * proves them committed may serve the session, no round trip to the primary needed. Cleared when a
   * position known to cover them is learnt.
   */
  pendingTransactions: readonly TransactionId[] = [];
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

  /**
   * Records a committed write; `position` is the primary's position after it, if known, else `transaction` its
   * transaction id, if known.
   */
  noteWrite(position: ReplicationPosition | undefined, now: number, transaction?: TransactionId): void {
    this.lastWriteAt = now;
    this.writeEpoch++;
    if (position !== undefined) {
      // After this commit, so after every earlier write of the session.
      this.minPosition = maxPosition(this.minPosition, position);
      this.positionPending = false;
      this.pendingTransactions = [];
    } else if (transaction !== undefined && this.pendingTransactions.length < MAX_PENDING_TRANSACTIONS) {
      if (!this.pendingTransactions.includes(transaction))
        this.pendingTransactions = [...this.pendingTransactions, transaction];
    } else {
      this.positionPending = true;
    }
  }

  /** Requires these transactions too (a token's), within the bound; beyond it, a position is learnt instead. */
  requireTransactions(transactions: readonly TransactionId[]): void {
    const merged = [...new Set([...this.pendingTransactions, ...transactions])];
    if (merged.length > MAX_PENDING_TRANSACTIONS) this.positionPending = true;
    else this.pendingTransactions = merged;
  }

  /** A position known to cover these transactions was learnt: forget them (later writes stay). */
  settleTransactions(transactions: readonly TransactionId[]): void {
    if (transactions.length === 0 || this.pendingTransactions.length === 0) return;
    this.pendingTransactions = this.pendingTransactions.filter((t) => !transactions.includes(t));
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
    if (sinceEpoch === undefined || sinceEpoch === this.writeEpoch) {
      this.positionPending = false;
      this.pendingTransactions = [];
    }
  }

  /** Replaces a requirement nothing can satisfy (a token from before a restore) with the primary's position. */
  rewindTo(position: ReplicationPosition): void {
    this.minPosition = position;
    this.positionPending = false;
    this.pendingTransactions = [];
  }
}
