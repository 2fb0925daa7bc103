import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { ConnectionPool } from './connection-pool.js';
import { toHranaErrorBody } from './hrana-error.js';
import { HranaPipelineHandler } from './hrana-pipeline-handler.js';
import { HranaStream, HranaStreamStore } from './hrana-stream-store.js';
import type {
  HranaBatch,
  HranaBatchResult,
  HranaPipelineRequest,
  HranaPipelineResponse,
} from './hrana-types.js';
import { ReplicationState } from './replication-state.js';
import { type EngineDatabase, loadEngine, openEngineConnection } from './sqlite-engine.js';
import { answerSyncRequest, SYNC_GENERATION } from './sync-endpoints.js';
import { SYNC_PAGE_SIZE, WalCommitTracker } from './wal-commit-tracker.js';

/** How a node's HTTP server treats clients: answer, refuse (destroy connections), or accept and never answer. */
export type LibsqlNodeMode = 'up' | 'down' | 'blackhole';

/** Options of {@link startLibsqlServer}. */
export interface LibsqlServerOptions {
  /** The SQLite database file. A primary creates it; a replica bootstraps it from `syncUrl`. */
  readonly dbPath: string;
  /** `primary` accepts writes and serves the sync protocol; `replica` pulls WAL frames and refuses writes. */
  readonly role: 'primary' | 'replica';
  /** Port on 127.0.0.1. @default 0 (a free port) */
  readonly port?: number;
  /** When set, every request except `/health` and version probes needs `Authorization: Bearer <token>`. */
  readonly authToken?: string;
  /** One-way delay added before handling and again before answering each request. @default 0 */
  readonly latencyMs?: number;
  /** Replica only: the primary's sync URL (its `syncUrl`). */
  readonly syncUrl?: string;
  /** Replica only: pause between two pulls. @default 25 */
  readonly pullIntervalMs?: number;
  /** Replica only: how long a request carrying `replication_index` waits for the replica. @default 1000 */
  readonly replicationWaitMs?: number;
  /** A stream not continued within this time is closed and its transaction rolled back. @default 10000 */
  readonly streamIdleTimeoutMs?: number;
  /** How long a statement retries SQLITE_BUSY (asynchronously) before the error is returned. @default 5000 */
  readonly busyTimeoutMs?: number;
}

/** A running local libSQL node. */
export interface LibsqlServer {
  readonly role: 'primary' | 'replica';
  /** Hrana over HTTP base URL (`http://127.0.0.1:PORT`), for `createClient({ url })`. */
  readonly url: string;
  readonly port: number;
  /**
   * Primary only: base URL of the sync protocol for embedded replicas on a separate listener that
   * latency and modes do not affect (the replication link between nodes is not the client's network).
   */
  readonly syncUrl: string | undefined;
  setLatency(ms: number): void;
  setMode(mode: LibsqlNodeMode): void;
  /** The node's current replication index (WAL frame number). */
  replicationIndex(): bigint;
  /** Resolves once the node has applied `index`; rejects with `TIMEOUT` after `timeoutMs`. */
  waitForIndex(index: bigint, timeoutMs?: number): Promise<void>;
  /** Replica only: stop pulling (the replica falls behind). */
  pause(): void;
  /** Replica only: pull again. */
  resume(): void;
  /** Replica only: change the pause between pulls. */
  setPullInterval(ms: number): void;
  stop(): Promise<void>;
}

function checkMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`edge-db: ${name} must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer | string;
}

function jsonAnswer(status: number, value: unknown): Answer {
  return { status, contentType: 'application/json', body: JSON.stringify(value) };
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function readReplicaIndex(dbPath: string): bigint {
  // The embedded replica records the last commit frame it applied in `<db>-info`.
  try {
    const info = JSON.parse(readFileSync(`${dbPath}-info`, 'utf8')) as { durable_frame_num?: number };
    return BigInt(info.durable_frame_num ?? 0);
  } catch {
    return 0n;
  }
}

/**
 * Starts a Hrana-over-HTTP server on the real libSQL engine: `POST /v2/pipeline`, `/v3/pipeline`,
 * `/v3/cursor`, version probes `GET /v2` and `/v3`, `GET /health`, `GET /edge-db/replication`
 * (`{ role, replication_index, generation }`), and on a primary the sync protocol of libSQL embedded
 * replicas (`/info`, `/export/{gen}`, `/sync/{gen}/{start}/{end}`).
 *
 * Every statement and batch result carries `replication_index` (the node's WAL frame index, a JSON
 * string). A statement or batch carrying `replication_index` makes a replica wait up to
 * `replicationWaitMs`; then it fails with Hrana error code `REPLICATION_INDEX_TIMEOUT`. Replicas refuse
 * writes with code `READONLY`.
 *
 * A replica pulls with `sync()`, which blocks its thread: run replicas in their own process
 * (`startLibsqlCluster` does).
 *
 * ### Examples
 * ```ts
 * const server = await startLibsqlServer({ dbPath: '/tmp/x/primary.db', role: 'primary' })
 * const client = createClient({ url: server.url })
 * await client.execute('select 1')
 * await server.stop()
 * ```
 */
export async function startLibsqlServer(options: LibsqlServerOptions): Promise<LibsqlServer> {
  if (options.role !== 'primary' && options.role !== 'replica') {
    throw new TypeError(`edge-db: role must be 'primary' or 'replica', got ${String(options.role)}`);
  }
  if (typeof options.dbPath !== 'string' || options.dbPath === '') {
    throw new TypeError('edge-db: dbPath must be a non-empty path');
  }
  if (options.role === 'replica' && options.syncUrl === undefined) {
    throw new TypeError("edge-db: a replica needs syncUrl (the primary's syncUrl)");
  }
  const role = options.role;
  const dbPath = options.dbPath;
  let latencyMs = checkMs('latencyMs', options.latencyMs, 0);
  let pullIntervalMs = checkMs('pullIntervalMs', options.pullIntervalMs, 25);
  const replicationWaitMs = checkMs('replicationWaitMs', options.replicationWaitMs, 1000);
  const streamIdleTimeoutMs = checkMs('streamIdleTimeoutMs', options.streamIdleTimeoutMs, 10_000);
  const busyTimeoutMs = checkMs('busyTimeoutMs', options.busyTimeoutMs, 5000);
  const authToken = options.authToken;

  const replication = new ReplicationState();
  let keeper: EngineDatabase | undefined;
  let syncDb: EngineDatabase | undefined;
  let wal: WalCommitTracker | undefined;

  try {
    if (role === 'primary') {
      // One connection stays open for the server's life: the last connection to close checkpoints and
      // deletes the WAL, and replicas address frames by WAL position.
      keeper = openEngineConnection(dbPath);
      keeper.exec(`PRAGMA page_size = ${SYNC_PAGE_SIZE}`);
      keeper.exec('PRAGMA journal_mode = WAL');
      const pageSize = keeper.prepare('PRAGMA page_size').raw(true).all()[0] as [bigint];
      if (Number(pageSize[0]) !== SYNC_PAGE_SIZE) {
        throw new EdgeDbError(
          'TESTING_SETUP_FAILED',
          `${dbPath} has page size ${pageSize[0]}; libSQL replicas need ${SYNC_PAGE_SIZE}. Start from a new file.`,
        );
      }
      wal = new WalCommitTracker(`${dbPath}-wal`);
      replication.advance(BigInt(wal.refresh()));
    } else {
      const Database = loadEngine();
      syncDb = new Database(dbPath, {
        syncUrl: options.syncUrl as string,
        offline: true,
        ...(authToken === undefined ? {} : { authToken }),
      });
      syncDb.sync();
      replication.advance(readReplicaIndex(dbPath));
    }
  } catch (error) {
    keeper?.close();
    syncDb?.close();
    if (error instanceof EdgeDbError) throw error;
    throw new EdgeDbError(
      'TESTING_SETUP_FAILED',
      `could not open the libSQL ${role} at ${dbPath}: ${String(error)}`,
      {
        cause: error,
      },
    );
  }

  const currentIndex = (): bigint => {
    if (wal !== undefined) replication.advance(BigInt(wal.refresh()));
    return replication.index;
  };

  const pool = new ConnectionPool(dbPath, { queryOnly: role === 'replica' });
  const streams = new HranaStreamStore(streamIdleTimeoutMs);
  const handler = new HranaPipelineHandler({
    role,
    currentIndex,
    waitForIndex: (index, timeoutMs) => replication.waitFor(index, timeoutMs),
    replicationWaitMs: () => replicationWaitMs,
    busyTimeoutMs,
  });

  // Replica pulling: sync() blocks this thread for the length of one HTTP round trip to the primary.
  let paused = false;
  let stopped = false;
  let pullTimer: ReturnType<typeof setTimeout> | undefined;
  let lastPullError: string | undefined;
  const schedulePull = () => {
    if (syncDb === undefined || paused || stopped || pullTimer !== undefined) return;
    pullTimer = setTimeout(() => {
      pullTimer = undefined;
      if (paused || stopped || syncDb === undefined) return;
      try {
        syncDb.sync();
        lastPullError = undefined;
        replication.advance(readReplicaIndex(dbPath));
      } catch (error) {
        const message = String(error);
        if (message !== lastPullError)
          process.stderr.write(`edge-db libSQL replica ${dbPath}: pull failed: ${message}\n`);
        lastPullError = message;
      }
      schedulePull();
    }, pullIntervalMs);
  };
  schedulePull();

  const authorized = (req: IncomingMessage) =>
    authToken === undefined || req.headers.authorization === `Bearer ${authToken}`;

  const pipeline = async (body: Buffer): Promise<Answer> => {
    let parsed: HranaPipelineRequest;
    try {
      parsed = JSON.parse(body.toString('utf8')) as HranaPipelineRequest;
    } catch {
      return jsonAnswer(400, { message: 'The request body is not valid JSON', code: 'PROTO_ERROR' });
    }
    if (parsed === null || typeof parsed !== 'object' || !Array.isArray(parsed.requests)) {
      return jsonAnswer(400, { message: 'The pipeline body needs a `requests` array', code: 'PROTO_ERROR' });
    }
    const stream = takeStream(parsed.baton);
    if (stream === undefined) return expiredStream();
    const results = await handler.run(stream, parsed.requests);
    const response: HranaPipelineResponse = { baton: parkStream(stream), base_url: null, results };
    return jsonAnswer(200, response);
  };

  const cursor = async (body: Buffer): Promise<Answer> => {
    let parsed: { baton?: string | null; batch?: HranaBatch };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      return jsonAnswer(400, { message: 'The request body is not valid JSON', code: 'PROTO_ERROR' });
    }
    if (parsed?.batch === undefined || !Array.isArray(parsed.batch.steps)) {
      return jsonAnswer(400, {
        message: 'The cursor body needs a `batch` with `steps`',
        code: 'PROTO_ERROR',
      });
    }
    const stream = takeStream(parsed.baton);
    if (stream === undefined) return expiredStream();
    const lines: unknown[] = [];
    try {
      const result: HranaBatchResult = await handler.runBatch(stream, parsed.batch);
      result.step_results.forEach((stepResult, step) => {
        const stepError = result.step_errors[step];
        if (stepError != null) {
          lines.push({ type: 'step_error', step, error: stepError });
        } else if (stepResult != null) {
          lines.push({ type: 'step_begin', step, cols: stepResult.cols });
          for (const row of stepResult.rows) lines.push({ type: 'row', row });
          lines.push({
            type: 'step_end',
            affected_row_count: stepResult.affected_row_count,
            last_insert_rowid: stepResult.last_insert_rowid,
          });
        }
      });
    } catch (error) {
      lines.push({ type: 'error', error: toHranaErrorBody(error) });
    }
    const head = { baton: parkStream(stream), base_url: null };
    return {
      status: 200,
      contentType: 'text/plain',
      body: `${[head, ...lines].map((line) => JSON.stringify(line)).join('\n')}\n`,
    };
  };

  function takeStream(baton: string | null | undefined): HranaStream | undefined {
    if (baton === null || baton === undefined) return new HranaStream(pool);
    return streams.take(baton);
  }

  function parkStream(stream: HranaStream): string | null {
    if (stream.closed) return null;
    stream.releaseIdleConnection();
    return streams.park(stream);
  }

  function expiredStream(): Answer {
    return jsonAnswer(400, {
      message: `The stream has expired (idle for more than ${streamIdleTimeoutMs} ms) or the baton is invalid; open a new stream`,
      code: 'STREAM_EXPIRED',
    });
  }

  const route = async (req: IncomingMessage, forSync: boolean): Promise<Answer> => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const method = req.method ?? 'GET';
    if (method === 'GET' && (path === '/health' || path === '/v2' || path === '/v3' || path === '/version')) {
      return {
        status: 200,
        contentType: 'text/plain',
        body: path === '/version' ? 'edge-db-local-libsql' : 'ok',
      };
    }
    if (!authorized(req)) {
      return jsonAnswer(401, {
        message: 'edge-db: missing or wrong bearer token for the local libSQL server',
        code: 'UNAUTHORIZED',
      });
    }
    if (method === 'GET' && wal !== undefined) {
      const answer = answerSyncRequest(path, dbPath, wal);
      if (answer !== undefined) return answer;
    }
    if (forSync) return jsonAnswer(404, { message: `Unknown path ${path}`, code: 'NOT_FOUND' });
    if (method === 'GET' && path === '/edge-db/replication') {
      return jsonAnswer(200, {
        role,
        replication_index: currentIndex().toString(),
        generation: SYNC_GENERATION,
      });
    }
    if (method === 'POST' && (path === '/v2/pipeline' || path === '/v3/pipeline'))
      return pipeline(await readBody(req));
    if (method === 'POST' && path === '/v3/cursor') return cursor(await readBody(req));
    return jsonAnswer(404, { message: `Unknown path ${method} ${path}`, code: 'NOT_FOUND' });
  };

  let mode: LibsqlNodeMode = 'up';
  const send = (res: ServerResponse, answer: Answer) => {
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': answer.contentType });
    res.end(answer.body);
  };
  const serve = async (req: IncomingMessage, res: ServerResponse, forSync: boolean) => {
    try {
      if (!forSync) {
        if (mode === 'down') return void req.socket.destroy();
        // Blackhole: accept and never answer; stop() destroys the connection.
        if (mode === 'blackhole') return;
        if (latencyMs > 0) await sleep(latencyMs);
      }
      const answer = await route(req, forSync);
      if (!forSync && latencyMs > 0) await sleep(latencyMs);
      if (!forSync && mode !== 'up') return mode === 'down' ? void req.socket.destroy() : undefined;
      send(res, answer);
    } catch (error) {
      send(res, jsonAnswer(500, toHranaErrorBody(error)));
    }
  };

  const clientServer = createServer((req, res) => void serve(req, res, false));
  clientServer.on('connection', (socket) => {
    if (mode === 'down') socket.destroy();
  });
  let syncServer: Server | undefined;
  let port: number;
  let syncPort: number | undefined;
  try {
    port = await listen(clientServer, options.port ?? 0);
    if (role === 'primary') {
      syncServer = createServer((req, res) => void serve(req, res, true));
      syncPort = await listen(syncServer, 0);
    }
  } catch (error) {
    stopped = true;
    if (pullTimer !== undefined) clearTimeout(pullTimer);
    await closeServer(clientServer).catch(() => undefined);
    pool.closeAll();
    keeper?.close();
    syncDb?.close();
    throw new EdgeDbError(
      'TESTING_SETUP_FAILED',
      `could not listen on 127.0.0.1:${options.port ?? 0}: ${String(error)}`,
      {
        cause: error,
      },
    );
  }

  const url = `http://127.0.0.1:${port}`;
  const requireReplica = (what: string) => {
    if (role !== 'replica') throw new EdgeDbError('CONFIG_INVALID', `${what} only applies to a replica`);
  };

  return {
    role,
    url,
    port,
    syncUrl: syncPort === undefined ? undefined : `http://127.0.0.1:${syncPort}`,
    setLatency(ms) {
      latencyMs = checkMs('latencyMs', ms, 0);
    },
    setMode(next) {
      if (next !== 'up' && next !== 'down' && next !== 'blackhole') {
        throw new TypeError(`edge-db: mode must be 'up', 'down' or 'blackhole', got ${String(next)}`);
      }
      mode = next;
      // Kept-alive connections would otherwise bypass the new mode's connection handling.
      if (next === 'down') clientServer.closeAllConnections();
    },
    replicationIndex: currentIndex,
    async waitForIndex(index, timeoutMs = 10_000) {
      currentIndex();
      if (!(await replication.waitFor(index, timeoutMs))) {
        throw new EdgeDbError(
          'TIMEOUT',
          `the libSQL ${role} at ${url} is at replication index ${replication.index}, not ${index}, after ${timeoutMs} ms`,
        );
      }
    },
    pause() {
      requireReplica('pause()');
      paused = true;
      if (pullTimer !== undefined) clearTimeout(pullTimer);
      pullTimer = undefined;
    },
    resume() {
      requireReplica('resume()');
      paused = false;
      schedulePull();
    },
    setPullInterval(ms) {
      requireReplica('setPullInterval()');
      pullIntervalMs = checkMs('pullIntervalMs', ms, 25);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (pullTimer !== undefined) clearTimeout(pullTimer);
      replication.cancelAll();
      await Promise.all([
        closeServer(clientServer),
        syncServer === undefined ? undefined : closeServer(syncServer),
      ]);
      streams.closeAll();
      pool.closeAll();
      wal?.close();
      // The keeper closes last so SQLite checkpoints a consistent WAL on the way out.
      keeper?.close();
      syncDb?.close();
    },
  };
}
