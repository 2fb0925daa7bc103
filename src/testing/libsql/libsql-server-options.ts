/** How a node's HTTP server treats clients: answer, refuse (destroy connections), or accept and never answer. */
export type LibsqlNodeMode = 'up' | 'down' | 'blackhole';

/**
 * How a replica treats writes and reads that require a replication index:
 * - `readonly`: refuses writes (`READONLY`); pulls every `pullIntervalMs`; a read carrying
 *   `replication_index` waits for the next pulls (up to `replicationWaitMs`).
 * - `forwarding`: like sqld's replicas: forwards writes (and transactions that are not `READONLY`) to the
 *   primary, then catches up before answering; a read carrying a `replication_index` it has not applied
 *   pulls at once and waits (up to `replicationWaitMs`), as sqld's streamed replication would.
 * - `pulling`: a proxy with an embedded replica that syncs every `pullIntervalMs` (Turso's "database
 *   CDN" pattern): forwards writes like `forwarding`, but a read carrying `replication_index` only sees
 *   frames the next scheduled pull brings, so it waits up to the pull interval (bounded by
 *   `replicationWaitMs`).
 */
export type LibsqlReplicaMode = 'readonly' | 'forwarding' | 'pulling';

/** Options of `startLibsqlServer`. */
export interface LibsqlServerOptions {
  /** The SQLite database file. A primary creates it; a replica bootstraps it from `syncUrl`. */
  readonly dbPath: string;
  /** `primary` accepts writes and serves the sync protocol; `replica` pulls WAL frames from `syncUrl`. */
  readonly role: 'primary' | 'replica';
  /** Port on 127.0.0.1. @default 0 (a free port) */
  readonly port?: number;
  /** When set, every request except `/health` and version probes needs `Authorization: Bearer <token>`. */
  readonly authToken?: string;
  /** One-way delay added before handling and again before answering each request or WebSocket message. @default 0 */
  readonly latencyMs?: number;
  /** Replica only: the primary's sync URL (its `syncUrl`). */
  readonly syncUrl?: string;
  /** Replica only: how it treats writes and index waits. @default 'readonly' */
  readonly replicaMode?: LibsqlReplicaMode;
  /** Replica in `forwarding` or `pulling` mode: the primary's Hrana URL (its `url`) writes go to. */
  readonly primaryUrl?: string;
  /** Replica only: how long a forwarded request may take at the primary. @default 10000 */
  readonly forwardTimeoutMs?: number;
  /** Replica only: pause between two pulls. @default 25 */
  readonly pullIntervalMs?: number;
  /** Replica only: how long a request carrying `replication_index` waits for the replica. @default 1000 */
  readonly replicationWaitMs?: number;
  /** A stream not continued within this time is closed and its transaction rolled back. @default 10000 */
  readonly streamIdleTimeoutMs?: number;
  /** How long a statement retries SQLITE_BUSY (asynchronously) before the error is returned. @default 5000 */
  readonly busyTimeoutMs?: number;
  /**
   * Primary only: once the WAL holds this many frames, the primary checkpoints it (when no transaction is
   * open) and starts a new sync generation, so the WAL stays bounded. 0 turns automatic checkpoints off.
   * @default 1000
   */
  readonly checkpointFrames?: number;
  /** Primary only: how many finished generations stay available to replicas that lag behind. @default 16 */
  readonly keepGenerations?: number;
}

/** A running local libSQL node. */
export interface LibsqlServer {
  readonly role: 'primary' | 'replica';
  /** Replica only: its mode; `undefined` on a primary. */
  readonly replicaMode: LibsqlReplicaMode | undefined;
  /** Hrana over HTTP base URL (`http://127.0.0.1:PORT`), for `createClient({ url })`. */
  readonly url: string;
  /** Hrana over WebSocket URL (`ws://127.0.0.1:PORT`, subprotocols `hrana3`, `hrana2`, `hrana1`). */
  readonly wsUrl: string;
  readonly port: number;
  /**
   * Primary only: base URL of the sync protocol for embedded replicas on a separate listener that
   * latency and modes do not affect (the replication link between nodes is not the client's network).
   */
  readonly syncUrl: string | undefined;
  setLatency(ms: number): void;
  setMode(mode: LibsqlNodeMode): void;
  /** The node's current replication index (monotonic across checkpoints). */
  replicationIndex(): bigint;
  /** The sync generation the node is in (a primary starts a new one at each checkpoint). */
  generation(): number;
  /** Resolves once the node has applied `index`; rejects with `TIMEOUT` after `timeoutMs`. */
  waitForIndex(index: bigint, timeoutMs?: number): Promise<void>;
  /**
   * Primary only: checkpoints the WAL into the database file and starts a new generation. Returns `false`
   * (and changes nothing) while a transaction is open or a reader holds the WAL.
   */
  checkpoint(): boolean;
  /** Replica only: stop pulling (the replica falls behind). */
  pause(): void;
  /** Replica only: pull again. */
  resume(): void;
  /** Replica only: change the pause between pulls. */
  setPullInterval(ms: number): void;
  stop(): Promise<void>;
}

/** Validates an optional duration option. */
export function checkMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`edge-db: ${name} must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}
