import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { ConnectionPool } from './connection-pool.js';
import { toHranaErrorBody } from './hrana-error.js';
import { HranaHttpEndpoints } from './hrana-http-endpoints.js';
import { HranaPipelineHandler } from './hrana-pipeline-handler.js';
import { HranaStreamStore } from './hrana-stream-store.js';
import { HranaWebSocketEndpoint, loadWebSocketServer } from './hrana-websocket-endpoint.js';
import { type Answer, closeServer, jsonAnswer, listen } from './http-answer.js';
import { type HttpRouteContext, routeHttpRequest } from './libsql-http-routes.js';
import {
  openPrimaryStorage,
  openReplicaStorage,
  type PrimaryStorage,
  type ReplicaStorage,
} from './libsql-node-storage.js';
import {
  checkMs,
  type LibsqlNodeMode,
  type LibsqlReplicaMode,
  type LibsqlServer,
  type LibsqlServerOptions,
} from './libsql-server-options.js';
import { PrimaryForwarder } from './primary-forwarder.js';
import { ReplicationState } from './replication-state.js';
import { StreamForwarding } from './stream-forwarding.js';

export type {
  LibsqlNodeMode,
  LibsqlReplicaMode,
  LibsqlServer,
  LibsqlServerOptions,
} from './libsql-server-options.js';

const REPLICA_MODES: readonly LibsqlReplicaMode[] = ['readonly', 'forwarding', 'pulling'];

function validate(options: LibsqlServerOptions): LibsqlReplicaMode | undefined {
  if (options.role !== 'primary' && options.role !== 'replica') {
    throw new TypeError(`edge-db: role must be 'primary' or 'replica', got ${String(options.role)}`);
  }
  if (typeof options.dbPath !== 'string' || options.dbPath === '') {
    throw new TypeError('edge-db: dbPath must be a non-empty path');
  }
  if (options.role === 'primary') return undefined;
  if (options.syncUrl === undefined) {
    throw new TypeError("edge-db: a replica needs syncUrl (the primary's syncUrl)");
  }
  const mode = options.replicaMode ?? 'readonly';
  if (!REPLICA_MODES.includes(mode)) {
    throw new TypeError(
      `edge-db: replicaMode must be one of ${REPLICA_MODES.join(', ')}, got ${String(mode)}`,
    );
  }
  if (mode !== 'readonly' && options.primaryUrl === undefined) {
    throw new TypeError(
      `edge-db: a ${mode} replica needs primaryUrl (the primary's url) to forward writes to`,
    );
  }
  return mode;
}

/**
 * Starts a Hrana server on the real libSQL engine: Hrana over HTTP (`POST /v2/pipeline`, `/v3/pipeline`,
 * `/v3/cursor`), Hrana over WebSocket on the same port (`ws://`, subprotocols `hrana3`/`hrana2`/`hrana1`),
 * version probes `GET /v2` and `/v3`, `GET /health`, `GET /edge-db/replication`
 * (`{ role, replication_index, generation }`), and on a primary the sync protocol of libSQL embedded
 * replicas on a second listener (`/info`, `/export/{gen}`, `/sync/{gen}/{start}/{end}`).
 *
 * Every statement and batch result carries `replication_index` (monotonic across checkpoints). A request
 * carrying `replication_index` makes a replica wait up to `replicationWaitMs`, then fail with Hrana code
 * `REPLICATION_INDEX_TIMEOUT`. What a replica does with writes depends on `replicaMode`. A primary
 * checkpoints its WAL every `checkpointFrames` frames and starts a new sync generation.
 *
 * A replica pulls with `sync()`, which blocks its thread: run replicas in their own process
 * (`startLibsqlCluster` does).
 *
 * ### Examples
 * ```ts
 * const server = await startLibsqlServer({ dbPath: '/tmp/x/primary.db', role: 'primary' })
 * const client = createClient({ url: server.url }) // or server.wsUrl
 * await client.execute('select 1')
 * await server.stop()
 * ```
 */
export async function startLibsqlServer(options: LibsqlServerOptions): Promise<LibsqlServer> {
  const replicaMode = validate(options);
  const { role, dbPath, authToken } = options;
  let latencyMs = checkMs('latencyMs', options.latencyMs, 0);
  const replicationWaitMs = checkMs('replicationWaitMs', options.replicationWaitMs, 1000);
  const streamIdleTimeoutMs = checkMs('streamIdleTimeoutMs', options.streamIdleTimeoutMs, 10_000);
  const busyTimeoutMs = checkMs('busyTimeoutMs', options.busyTimeoutMs, 5000);
  const forwardTimeoutMs = checkMs('forwardTimeoutMs', options.forwardTimeoutMs, 10_000);
  const checkpointFrames = checkMs('checkpointFrames', options.checkpointFrames, 1000);
  const keepGenerations = Math.max(1, checkMs('keepGenerations', options.keepGenerations, 16));

  const replication = new ReplicationState();
  let primary: PrimaryStorage | undefined;
  let replica: ReplicaStorage | undefined;
  // Set once the pool exists: a replica that must bootstrap again first closes every connection to its file.
  let closeConnections = () => {};
  if (role === 'primary') {
    primary = openPrimaryStorage(dbPath, keepGenerations);
    replication.advance(primary.log.index());
  } else {
    replica = await openReplicaStorage({
      dbPath,
      syncUrl: options.syncUrl as string,
      authToken,
      intervalMs: checkMs('pullIntervalMs', options.pullIntervalMs, 25),
      replication,
      onRebootstrap: () => closeConnections(),
    });
  }

  const currentIndex = (): bigint => {
    if (primary !== undefined) replication.advance(primary.log.index());
    return replication.index;
  };
  const waitForIndex = async (index: bigint, timeoutMs: number): Promise<boolean> => {
    // sqld's replicas receive frames as they are written; a forwarding replica fetches them on demand.
    if (replicaMode === 'forwarding' && replication.index < index) void replica?.puller.pullNow();
    return replication.waitFor(index, timeoutMs);
  };

  const pool = new ConnectionPool(dbPath, { queryOnly: role === 'replica' });
  const streams = new HranaStreamStore(streamIdleTimeoutMs);
  closeConnections = () => {
    streams.closeAll();
    pool.closeAll();
  };
  const forwarding =
    replicaMode === 'forwarding' || replicaMode === 'pulling'
      ? new StreamForwarding(
          new PrimaryForwarder(options.primaryUrl as string, authToken, forwardTimeoutMs),
          async (index) => {
            // Read-your-writes through the replica: like an embedded replica, sync right after a write.
            // A paused replica is lagging on purpose: the write is answered without waiting for it.
            if (replication.index >= index || replica === undefined || replica.puller.paused) return;
            await replica.puller.pullNow();
            await replication.waitFor(index, replicationWaitMs);
          },
        )
      : undefined;
  const handler = new HranaPipelineHandler({
    role,
    currentIndex,
    waitForIndex,
    replicationWaitMs: () => replicationWaitMs,
    busyTimeoutMs,
    forwarding,
  });
  const http = new HranaHttpEndpoints(pool, streams, handler, streamIdleTimeoutMs);

  let mode: LibsqlNodeMode = 'up';
  const ws = new HranaWebSocketEndpoint(
    { pool, handler, authToken, latencyMs: () => latencyMs, mode: () => mode },
    await loadWebSocketServer(),
  );

  const checkpoint = (): boolean => {
    if (primary === undefined || pool.anyInTransaction()) return false;
    return primary.log.checkpoint();
  };
  const maybeCheckpoint = () => {
    if (primary !== undefined && checkpointFrames > 0 && primary.log.frames() >= checkpointFrames)
      checkpoint();
  };

  const generation = () => primary?.log.generation ?? 0;
  const routes: HttpRouteContext = {
    role,
    authToken,
    log: primary?.log,
    hrana: http,
    currentIndex,
    generation,
  };

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
      const answer = await routeHttpRequest(req, forSync, routes);
      if (!forSync) maybeCheckpoint();
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
  clientServer.on('upgrade', (req, socket, head) => ws.handleUpgrade(req, socket, head));
  let syncServer: Server | undefined;
  let port: number;
  let syncPort: number | undefined;
  let stopped = false;
  const release = () => {
    replica?.puller.stop();
    ws.closeAll();
    streams.closeAll();
    pool.closeAll();
    primary?.log.close();
    // The keeper closes last so SQLite checkpoints a consistent WAL on the way out.
    primary?.keeper.close();
    replica?.puller.close();
  };
  try {
    port = await listen(clientServer, options.port ?? 0);
    if (role === 'primary') {
      syncServer = createServer((req, res) => void serve(req, res, true));
      syncPort = await listen(syncServer, 0);
    }
  } catch (error) {
    stopped = true;
    await closeServer(clientServer).catch(() => undefined);
    release();
    throw new EdgeDbError(
      'TESTING_SETUP_FAILED',
      `could not listen on 127.0.0.1:${options.port ?? 0}: ${String(error)}`,
      {
        cause: error,
      },
    );
  }

  const url = `http://127.0.0.1:${port}`;
  const requireReplica = (what: string): ReplicaStorage => {
    if (replica === undefined) throw new EdgeDbError('CONFIG_INVALID', `${what} only applies to a replica`);
    return replica;
  };

  return {
    role,
    replicaMode,
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
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
      // Kept-alive connections and sockets would otherwise bypass the new mode's connection handling.
      if (next === 'down') {
        clientServer.closeAllConnections();
        ws.closeAll();
      }
    },
    replicationIndex: currentIndex,
    generation,
    async waitForIndex(index, timeoutMs = 10_000) {
      currentIndex();
      if (!(await replication.waitFor(index, timeoutMs))) {
        throw new EdgeDbError(
          'TIMEOUT',
          `the libSQL ${role} at ${url} is at replication index ${replication.index}, not ${index}, after ${timeoutMs} ms`,
        );
      }
    },
    checkpoint() {
      if (primary === undefined)
        throw new EdgeDbError('CONFIG_INVALID', 'checkpoint() only applies to a primary');
      return checkpoint();
    },
    pause() {
      requireReplica('pause()').puller.pause();
    },
    resume() {
      requireReplica('resume()').puller.resume();
    },
    setPullInterval(ms) {
      requireReplica('setPullInterval()').puller.intervalMs = checkMs('pullIntervalMs', ms, 25);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      replica?.puller.stop();
      replication.cancelAll();
      ws.closeAll();
      await Promise.all([clientServer, syncServer].map((server) => server && closeServer(server)));
      release();
    },
  };
}
