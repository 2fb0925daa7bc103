import type { RelayMode } from '../network/relay-mode.js';

/**
 * One PostgreSQL server of a test cluster, reachable through its own latency relay.
 *
 * ### Examples
 * ```ts
 * const pool = new pg.Pool({ connectionString: cluster.primary.url })
 * cluster.replicas[0]!.setLatency(40) // a replica 80 ms of round trip away
 * cluster.replicas[1]!.setMode('down') // a dead replica
 * ```
 */
export interface PostgresNode {
  /** `primary`, `replica-1`, `replica-2`, ... */
  readonly name: string;
  readonly role: 'primary' | 'replica';
  /** `postgres://postgres@127.0.0.1:<relay port>/postgres`: connect here to get latency and failure modes. */
  readonly url: string;
  /** `postgres://postgres@127.0.0.1:<server port>/postgres`: straight to the server, for set-up and checks. */
  readonly directUrl: string;
  /** The relay's host (`127.0.0.1`). */
  readonly host: string;
  /** The relay's port. */
  readonly port: number;
  /** The server's own port. */
  readonly directPort: number;
  /** The server's data folder (its `server.log` is beside it), for debugging. */
  readonly dataDir: string;
  /** Sets the one-way delay the relay adds, in milliseconds. */
  setLatency(ms: number): void;
  /** The one-way latency the node's relay applies now, in milliseconds. */
  readonly latencyMs: number;
  /** The node's relay mode now. */
  readonly mode: RelayMode;
  /** Makes the node look healthy, crashed or hung to clients of `url`; see `RelayMode`. */
  setMode(mode: RelayMode): void;
}

/**
 * The primary of a test cluster.
 *
 * ### Examples
 * ```ts
 * await primaryPool.query('insert into t values (1)')
 * const position = await cluster.primary.currentPosition()
 * await cluster.replicas[0]!.waitForPosition(position)
 * ```
 */
export interface PostgresPrimary extends PostgresNode {
  readonly role: 'primary';
  /**
   * A WAL position at or after every transaction committed so far (call it after your COMMIT returned):
   * `pg_current_wal_lsn()`, or `pg_current_wal_insert_lsn()` when the cluster runs with
   * `synchronousCommit: false` (the write position can lag behind an asynchronous commit record).
   */
  currentPosition(): Promise<bigint>;
}

/**
 * A hot standby of a test cluster, streaming from the primary, with knobs to make it lag.
 *
 * ### Examples
 * ```ts
 * const replica = cluster.replicas[0]!
 * await replica.pause() // reads now miss every later write
 * await replica.resume()
 * await replica.setApplyDelay(2_000) // a standing 2 s lag
 * ```
 */
export interface PostgresReplica extends PostgresNode {
  readonly role: 'replica';
  /** Stops applying WAL (`pg_wal_replay_pause()`); the standby still receives it. */
  pause(): Promise<void>;
  /** Applies WAL again (`pg_wal_replay_resume()`). */
  resume(): Promise<void>;
  /**
   * Holds every commit back by `ms` before applying it (`recovery_min_apply_delay`, reloaded without a restart).
   * 0 removes the delay.
   */
  setApplyDelay(ms: number): Promise<void>;
  /** The position this standby has applied (`pg_last_wal_replay_lsn()`). */
  replayPosition(): Promise<bigint>;
  /**
   * Waits until this standby has applied `lsn`. Rejects with an `EdgeDbError` of code `REPLICA_BEHIND`
   * after `timeoutMs` (default 10 000), saying how far behind it is and whether it is paused.
   */
  waitForPosition(lsn: bigint, timeoutMs?: number): Promise<void>;
}
