import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { type LatencyRelay, startLatencyRelay } from '../network/latency-relay.js';
import { registerExitCleanup } from '../process-cleanup.js';
import { loadPg } from './load-pg.js';
import { findPostgresBinaries } from './postgres-binaries.js';
import type { PostgresClusterOptions } from './postgres-cluster-options.js';
import { PostgresCommandRunner } from './postgres-command-runner.js';
import type { PostgresPrimary, PostgresReplica } from './postgres-node.js';
import { nodeView, replicaView } from './postgres-node-views.js';
import {
  baseBackup,
  initPrimary,
  logTail,
  type PostgresServer,
  type PostgresServerContext,
  startServer,
  stopServer,
  stopServerNow,
} from './postgres-server.js';
import { readCommittedPosition } from './read-committed-position.js';
import { withPostgresClient } from './with-postgres-client.js';

/**
 * A running primary with hot standbys; see {@link startPostgresCluster}.
 *
 * ### Examples
 * ```ts
 * await using cluster = await startPostgresCluster()
 * ```
 */
export interface PostgresCluster {
  readonly primary: PostgresPrimary;
  readonly replicas: PostgresReplica[];
  /** Stops every server (fast, then immediate), closes the relays and removes the folder. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const MAX_REPLICAS = 8;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Starts a real PostgreSQL cluster on loopback for integration tests: `initdb` and a primary, then one
 * `pg_basebackup -R -X stream -c fast` and hot standby per replica, and waits until the primary's
 * `pg_stat_replication` shows every standby `streaming`. Each server is fronted by a latency relay
 * (`url`); `directUrl` bypasses it. Standbys stream straight from the primary, not through relays.
 *
 * Runs the servers as the `postgres` account when this process is root. Registers an exit hook that stops
 * the servers (`pg_ctl stop -m immediate`) and removes the folder if the process ends without `stop()`.
 * Throws an `EdgeDbError` with code `TESTING_SETUP_FAILED` (with the server log) when it cannot start.
 *
 * ### Examples
 * ```ts
 * const cluster = await startPostgresCluster({ replicas: 2, latencyMs: 10 })
 * try {
 *   const primary = new pg.Client({ connectionString: cluster.primary.url })
 *   // ... write on the primary, then
 *   await cluster.replicas[0]!.waitForPosition(await cluster.primary.currentPosition())
 * } finally {
 *   await cluster.stop()
 * }
 * ```
 */
export async function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const replicaCount = checkInteger('replicas', options.replicas ?? 2, 0, MAX_REPLICAS);
  const latencyMs = options.latencyMs ?? 0;
  if (!Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `latencyMs must be a finite number >= 0, got ${String(latencyMs)}.`,
    );
  }
  const startTimeoutMs = checkInteger('startTimeoutMs', options.startTimeoutMs ?? 60_000, 1, 3_600_000);
  const synchronousCommit = options.synchronousCommit ?? true;
  const deadline = Date.now() + startTimeoutMs;

  // node-postgres checks the servers; without it, fail with its install hint before initdb runs.
  await loadPg('startPostgresCluster()');
  const binaries = await findPostgresBinaries(options.binDir);
  const parent = options.baseDir ?? tmpdir();
  await mkdir(parent, { recursive: true });
  const rootDir = await mkdtemp(join(parent, 'edge-db-pg-'));
  const runner = await PostgresCommandRunner.create(rootDir).catch(async (error: unknown) => {
    await rm(rootDir, { recursive: true, force: true });
    throw error;
  });
  const context: PostgresServerContext = { binaries, runner, deadline };

  const server = (name: string): PostgresServer => ({
    name,
    dataDir: join(rootDir, name),
    logFile: join(rootDir, `${name}.log`),
    port: 0,
  });
  const primaryServer = server('primary');
  const replicaServers = Array.from({ length: replicaCount }, (_, i) => server(`replica-${i + 1}`));
  const servers = [primaryServer, ...replicaServers];
  const relays: LatencyRelay[] = [];

  const unregister = registerExitCleanup(`PostgreSQL test cluster ${rootDir}`, () => {
    for (const each of [...replicaServers, primaryServer]) {
      try {
        stopServerNow(runner, binaries, each);
      } catch {
        // Keep going: the other servers of the cluster still need stopping.
      }
    }
    rmSync(rootDir, { recursive: true, force: true });
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const results = await Promise.allSettled([
        ...servers.map((each) => stopServer(runner, binaries, each, STOP_TIMEOUT_MS)),
        ...relays.map((relay) => relay.close()),
      ]);
      const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
      if (failures.length === 0) {
        await rm(rootDir, { recursive: true, force: true, maxRetries: 3 });
        unregister();
        return;
      }
      throw new EdgeDbError(
        'LIFECYCLE_FAILED',
        `Stopping the PostgreSQL test cluster in ${rootDir} failed; its folder was kept for inspection and ` +
          'the exit hook will try `pg_ctl stop -m immediate` again.',
        { cause: new AggregateError(failures) },
      );
    })();
    return stopping;
  };

  try {
    await runner.own(rootDir);
    await initPrimary(context, primaryServer, { maxWalSenders: replicaCount + 4, synchronousCommit });
    await startServer(context, primaryServer);
    // Copying and starting standbys in parallel overlaps their waits on the two cores.
    await Promise.all(
      replicaServers.map(async (standby) => {
        await baseBackup(context, primaryServer, standby);
        await startServer(context, standby);
      }),
    );
    await waitForStreaming(context, primaryServer, replicaServers);
    for (const each of servers) {
      relays.push(await startLatencyRelay({ targetHost: '127.0.0.1', targetPort: each.port, latencyMs }));
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  // Object.assign, not a spread: the view's `latencyMs` and `mode` are live getters.
  const primary: PostgresPrimary = Object.assign(nodeView(primaryServer, relays[0]!, 'primary'), {
    role: 'primary' as const,
    currentPosition: () =>
      withPostgresClient(primaryServer.port, (client) => readCommittedPosition(client, synchronousCommit)),
  });
  const replicas = replicaServers.map((each, i) => replicaView(each, relays[i + 1]!));
  return { primary, replicas, stop, [Symbol.asyncDispose]: stop };
}

async function waitForStreaming(
  context: PostgresServerContext,
  primary: PostgresServer,
  standbys: readonly PostgresServer[],
): Promise<void> {
  if (standbys.length === 0) return;
  let seen: { application_name: string; state: string }[] = [];
  const allStreaming = await withPostgresClient(primary.port, async (client) => {
    for (;;) {
      seen = (
        await client.query<{ application_name: string; state: string }>(
          'select application_name, state from pg_stat_replication',
        )
      ).rows;
      const streaming = new Set(
        seen.filter((row) => row.state === 'streaming').map((row) => row.application_name),
      );
      if (standbys.every((standby) => streaming.has(standby.name))) return true;
      if (Date.now() >= context.deadline) return false;
      await sleep(20);
    }
  });
  if (allStreaming) return;
  const tails = await Promise.all(
    standbys.map(async (each) => `--- ${each.name} ---\n${await logTail(each, 10)}`),
  );
  throw new EdgeDbError(
    'TESTING_SETUP_FAILED',
    `The PostgreSQL standbys were not all streaming before the start deadline; pg_stat_replication showed ` +
      `${JSON.stringify(seen)}. Raise startTimeoutMs on a slow machine.\n${tails.join('\n')}`,
  );
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `${name} must be an integer from ${min} to ${max}, got ${String(value)}.`,
    );
  }
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
