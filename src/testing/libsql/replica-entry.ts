/**
 * Entry of a libSQL replica child process (spawned by `startLibsqlCluster`): opens an embedded replica of
 * the primary, pulls WAL frames on an interval and serves Hrana (reads, and forwarded writes in the
 * `forwarding` and `pulling` modes). `sync()` blocks its thread,
 * which is why every replica has a process of its own. Controlled over the IPC channel; exits when the
 * parent goes away.
 */
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { type LibsqlServer, startLibsqlServer } from './libsql-server.js';
import {
  REPLICA_CONFIG_ENV,
  type ReplicaChildConfig,
  type ReplicaCommand,
  type ReplicaMessage,
} from './replica-control.js';

function send(message: ReplicaMessage): void {
  process.send?.(message);
}

async function answer(server: LibsqlServer, command: ReplicaCommand): Promise<string | undefined> {
  switch (command.type) {
    case 'setLatency':
      server.setLatency(command.ms);
      return undefined;
    case 'setMode':
      server.setMode(command.mode);
      return undefined;
    case 'pause':
      server.pause();
      return undefined;
    case 'resume':
      server.resume();
      return undefined;
    case 'setPullInterval':
      server.setPullInterval(command.ms);
      return undefined;
    case 'replicationIndex':
      return server.replicationIndex().toString();
    case 'waitForIndex':
      await server.waitForIndex(BigInt(command.index), command.timeoutMs);
      return undefined;
    case 'stop':
      // Exit without closing the engine: closing the last connection would checkpoint the replica's WAL,
      // and the embedded replica addresses frames by WAL position when it restarts on the same file.
      setImmediate(() => process.exit(0));
      return undefined;
  }
}

async function main(): Promise<void> {
  const raw = process.env[REPLICA_CONFIG_ENV];
  if (raw === undefined || process.send === undefined) {
    process.stderr.write('edge-db: replica-entry is started by startLibsqlCluster, not directly\n');
    process.exit(2);
  }
  const config = JSON.parse(raw) as ReplicaChildConfig;
  // Never outlive the parent (test runner crash, Ctrl-C).
  process.on('disconnect', () => process.exit(0));
  let server: LibsqlServer;
  try {
    server = await startLibsqlServer({
      role: 'replica',
      dbPath: config.dbPath,
      syncUrl: config.syncUrl,
      port: config.port,
      replicaMode: config.replicaMode,
      primaryUrl: config.primaryUrl,
      latencyMs: config.latencyMs,
      pullIntervalMs: config.pullIntervalMs,
      ...(config.authToken === undefined ? {} : { authToken: config.authToken }),
      ...(config.replicationWaitMs === undefined ? {} : { replicationWaitMs: config.replicationWaitMs }),
      ...(config.streamIdleTimeoutMs === undefined
        ? {}
        : { streamIdleTimeoutMs: config.streamIdleTimeoutMs }),
    });
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  process.on('message', (message: { id: number; command: ReplicaCommand }) => {
    answer(server, message.command).then(
      (value) => send({ type: 'reply', id: message.id, ok: true, ...(value === undefined ? {} : { value }) }),
      (error: unknown) =>
        send({
          type: 'reply',
          id: message.id,
          ok: false,
          message: error instanceof Error ? error.message : String(error),
          ...(error instanceof EdgeDbError ? { code: error.code } : {}),
        }),
    );
  });
  send({ type: 'ready', port: server.port });
}

void main();
