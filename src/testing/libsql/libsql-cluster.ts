import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { type LibsqlNodeMode, startLibsqlServer } from './libsql-server.js';
import { ReplicaProcess } from './replica-process.js';

/** Options of {@link startLibsqlCluster}. */
export interface LibsqlClusterOptions {
  /** Number of replicas, each in its own process. @default 2 */
  readonly replicas?: number;
  /** Bearer token every node requires (also used by replicas to pull). */
  readonly authToken?: string;
  /** One-way latency added by every node's HTTP server. @default 0 */
  readonly latencyMs?: number;
  /** Pause between two pulls of a replica. @default 25 */
  readonly pullIntervalMs?: number;
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
  setLatency(ms: number): void;
  setMode(mode: LibsqlNodeMode): void;
  /** The last committed WAL frame. */
  replicationIndex(): Promise<bigint>;
}

/** A replica of a local libSQL cluster (a child process). */
export interface LibsqlClusterReplica {
  readonly name: string;
  /** Hrana over HTTP URL; stays the same across {@link LibsqlClusterReplica.restart}. */
  readonly url: string;
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
 * Starts a libSQL cluster for integration tests without sqld: the primary is a Hrana-over-HTTP server on
 * the real libSQL engine, and each replica is a libSQL embedded replica in its own process that pulls the
 * primary's WAL frames and serves reads. Replication indexes are WAL frame numbers, as with sqld.
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
  const pullIntervalMs = options.pullIntervalMs ?? 25;
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
          port: 0,
          latencyMs,
          pullIntervalMs,
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
          state.pullIntervalMs = ms;
          await current().request({ type: 'setPullInterval', ms });
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
      setLatency: (ms) => primaryServer.setLatency(ms),
      setMode: (mode) => primaryServer.setMode(mode),
      replicationIndex: async () => primaryServer.replicationIndex(),
    },
    replicas,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
