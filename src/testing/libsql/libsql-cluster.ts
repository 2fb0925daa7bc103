import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { type LibsqlNodeMode, type LibsqlReplicaMode, startLibsqlServer } from './libsql-server.js';
import { ReplicaProcess } from './replica-process.js';

/** Options of {@link startLibsqlCluster}. */
export interface LibsqlClusterOptions {
  /** Number of replicas, each in its own process. @default 2 */
  readonly replicas?: number;
  /** Bearer token every node requires (also used by replicas to pull). */
  readonly authToken?: string;
  /** One-way latency added by every node's HTTP server. @default 0 */
  readonly latencyMs?: number;
  /**
   * How replicas treat writes and reads that require an index, for all replicas or per replica
   * (see {@link LibsqlReplicaMode}). @default 'readonly'
   */
  readonly replicaMode?: LibsqlReplicaMode | readonly LibsqlReplicaMode[];
  /** Pause between two pulls of a replica, for all or per replica. @default 25 (1000 for `pulling` replicas) */
  readonly pullIntervalMs?: number | readonly number[];
  /** The primary checkpoints its WAL (a new sync generation) once it holds this many frames; 0: never. @default 1000 */
  readonly checkpointFrames?: number;
  /**
   * How many finished generations the primary keeps for replicas that lag behind; a replica further behind
   * bootstraps again from the primary's export (its open streams end). @default 16
   */
  readonly keepGenerations?: number;
  /** How long a replica waits for a `replication_index` a request requires. @default 1000 */
  readonly replicationWaitMs?: number;
  /** Idle expiry of Hrana streams. @default 10000 */
  readonly streamIdleTimeoutMs?: number;
  /** Directory for the database files; a new temporary directory (removed on stop) when omitted. */
  readonly baseDir?: string;
}

/** The primary of a local libSQL cluster. */
export interface LibsqlClusterPrimary {
  readonly name: string;
  /** Hrana over HTTP URL for `@libsql/client` / edge-db's libSQL driver. */
  readonly url: string;
  /** Hrana over WebSocket URL (`ws://`; `libsql://` URLs mean TLS, which the local nodes do not serve). */
  readonly wsUrl: string;
  setLatency(ms: number): void;
  setMode(mode: LibsqlNodeMode): void;
  /** The index of the last commit (monotonic across checkpoints). */
  replicationIndex(): Promise<bigint>;
  /**
   * Checkpoints the WAL now and starts a new sync generation; `false` while a transaction is open.
   * Replicas move to the new generation on their next pull.
   */
  checkpoint(): Promise<boolean>;
}

/** A replica of a local libSQL cluster (a child process). */
export interface LibsqlClusterReplica {
  readonly name: string;
  /** Hrana over HTTP URL; stays the same across {@link LibsqlClusterReplica.restart}. */
  readonly url: string;
  /** Hrana over WebSocket URL (`ws://`). */
  readonly wsUrl: string;
  /**
   * How the replica treats writes and index waits. A router deciding whether a read that needs an index
   * should wait on this replica or go to the primary reads this with {@link pullIntervalMs} and
   * {@link replicationWaitMs}: `forwarding` replicas fetch a missing index at once; `pulling` ones only see
   * it at the next pull, up to `pullIntervalMs` later.
   */
  readonly mode: LibsqlReplicaMode;
  /** The current pause between pulls; 0 when frames are streamed continuously (sqld). */
  readonly pullIntervalMs: number;
  /** How long a read carrying `replication_index` waits before `REPLICATION_INDEX_TIMEOUT` (Infinity: no deadline). */
  readonly replicationWaitMs: number;
  setLatency(ms: number): Promise<void>;
  setMode(mode: LibsqlNodeMode): Promise<void>;
  /** Stops pulling: the replica falls behind until {@link LibsqlClusterReplica.resume}. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  setPullInterval(ms: number): Promise<void>;
  /** The last commit frame the replica applied. */
  replicationIndex(): Promise<bigint>;
  /** Resolves once the replica has applied `index`; rejects with `TIMEOUT` after `timeoutMs` (default 10 s). */
  waitForIndex(index: bigint, timeoutMs?: number): Promise<void>;
  /** Stops the process and starts it again on the same file and port; it catches up from where it was. */
  restart(): Promise<void>;
}

/** A running local libSQL cluster: one primary (in this process) and replicas (child processes). */
export interface LibsqlCluster {
  readonly primary: LibsqlClusterPrimary;
  readonly replicas: readonly LibsqlClusterReplica[];
  /** Stops every node, kills the child processes and removes the temporary directory. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a libSQL cluster for integration tests without sqld: the primary is a Hrana server (HTTP and
 * WebSocket) on the real libSQL engine, and each replica is a libSQL embedded replica in its own process
 * that pulls the primary's WAL frames and serves reads; depending on `replicaMode` it refuses writes
 * (`readonly`), forwards them like sqld (`forwarding`), or is a proxy that syncs on an interval and
 * forwards writes (`pulling`). Replication indexes count WAL frames across checkpoints, as with sqld.
 * Needs the `libsql` npm package (installed with `@libsql/client`); no system packages.
 *
 * ### Examples
 * ```ts
 * await using cluster = await startLibsqlCluster({ replicas: 2 })
 * const primary = createClient({ url: cluster.primary.url })
 * await primary.execute('create table t (x)')
 * await cluster.replicas[0].waitForIndex(await cluster.primary.replicationIndex())
 * ```
 */
export async function startLibsqlCluster(options: LibsqlClusterOptions = {}): Promise<LibsqlCluster> {
  const replicaCount = options.replicas ?? 2;
  if (!Number.isInteger(replicaCount) || replicaCount < 0) {
    throw new TypeError(`edge-db: replicas must be an integer >= 0, got ${String(options.replicas)}`);
  }
  const ownsDir = options.baseDir === undefined;
  const baseDir = options.baseDir ?? mkdtempSync(join(tmpdir(), 'edge-db-libsql-'));
  if (!ownsDir) mkdirSync(baseDir, { recursive: true });
  const latencyMs = options.latencyMs ?? 0;
  const modeOf = (i: number): LibsqlReplicaMode => {
    const mode = options.replicaMode;
    return (typeof mode === 'string' ? mode : mode?.[i]) ?? 'readonly';
  };
  const pullIntervalOf = (i: number): number => {
    const interval = options.pullIntervalMs;
    return (typeof interval === 'number' ? interval : interval?.[i]) ?? (modeOf(i) === 'pulling' ? 1000 : 25);
  };
  const replicationWaitMs = options.replicationWaitMs ?? 1000;
  const shared = {
    ...(options.authToken === undefined ? {} : { authToken: options.authToken }),
    ...(options.replicationWaitMs === undefined ? {} : { replicationWaitMs: options.replicationWaitMs }),
    ...(options.streamIdleTimeoutMs === undefined
      ? {}
      : { streamIdleTimeoutMs: options.streamIdleTimeoutMs }),
  };

  const primaryServer = await startLibsqlServer({
    role: 'primary',
    dbPath: join(baseDir, 'primary.db'),
    latencyMs,
    ...(options.checkpointFrames === undefined ? {} : { checkpointFrames: options.checkpointFrames }),
    keepGenerations: options.keepGenerations ?? 16,
    ...shared,
  });
  const processes: (ReplicaProcess | undefined)[] = [];
  const cleanup = async () => {
    await Promise.allSettled(processes.map((p) => p?.stop()));
    await primaryServer.stop();
    if (ownsDir) rmSync(baseDir, { recursive: true, force: true });
  };

  const replicas: LibsqlClusterReplica[] = [];
  try {
    const started = await Promise.all(
      Array.from({ length: replicaCount }, async (_, i) => {
        const config = {
          dbPath: join(baseDir, `replica-${i}.db`),
          syncUrl: primaryServer.syncUrl as string,
          primaryUrl: primaryServer.url,
          replicaMode: modeOf(i),
          port: 0,
          latencyMs,
          pullIntervalMs: pullIntervalOf(i),
          ...shared,
        };
        const first = await ReplicaProcess.spawn(config);
        processes[i] = first;
        return { config: { ...config, port: first.port }, process: first };
      }),
    );
    for (const [i, entry] of started.entries()) {
      const config = entry.config;
      // Knobs survive a restart: the new process starts with the latest latency and pull interval.
      const state = { latencyMs: config.latencyMs, pullIntervalMs: config.pullIntervalMs };
      const current = () => {
        const process = processes[i];
        if (process === undefined) throw new EdgeDbError('DESTROYED', `replica-${i} is stopped`);
        return process;
      };
      replicas.push({
        name: `replica-${i}`,
        url: `http://127.0.0.1:${config.port}`,
        wsUrl: `ws://127.0.0.1:${config.port}`,
        mode: config.replicaMode,
        get pullIntervalMs() {
          return state.pullIntervalMs;
        },
        replicationWaitMs,
        async setLatency(ms) {
          state.latencyMs = ms;
          await current().request({ type: 'setLatency', ms });
        },
        async setMode(mode) {
          await current().request({ type: 'setMode', mode });
        },
        async pause() {
          await current().request({ type: 'pause' });
        },
        async resume() {
          await current().request({ type: 'resume' });
        },
        async setPullInterval(ms) {
          await current().request({ type: 'setPullInterval', ms });
          state.pullIntervalMs = ms;
        },
        async replicationIndex() {
          return BigInt((await current().request({ type: 'replicationIndex' })) ?? '0');
        },
        async waitForIndex(index, timeoutMs = 10_000) {
          await current().request(
            { type: 'waitForIndex', index: index.toString(), timeoutMs },
            timeoutMs + 5000,
          );
        },
        async restart() {
          await current().stop();
          processes[i] = undefined;
          processes[i] = await ReplicaProcess.spawn({ ...config, ...state });
        },
      });
    }
  } catch (error) {
    await cleanup();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= cleanup();
    return stopping;
  };
  return {
    primary: {
      name: 'primary',
      url: primaryServer.url,
      wsUrl: primaryServer.wsUrl,
      setLatency: (ms) => primaryServer.setLatency(ms),
      setMode: (mode) => primaryServer.setMode(mode),
      replicationIndex: async () => primaryServer.replicationIndex(),
      checkpoint: async () => primaryServer.checkpoint(),
    },
    replicas,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
