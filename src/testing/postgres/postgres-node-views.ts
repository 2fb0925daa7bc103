import { formatLsn, parseLsn } from '../../consistency/postgres-lsn.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { LatencyRelay } from '../network/latency-relay.js';
import type { PostgresNode, PostgresReplica } from './postgres-node.js';
import type { PostgresServer } from './postgres-server.js';
import { withPostgresClient } from './with-postgres-client.js';

/** The public face of one server: URLs and relay knobs. Internal to the PostgreSQL test bed. */
export function nodeView(
  server: PostgresServer,
  relay: LatencyRelay,
  role: 'primary' | 'replica',
): PostgresNode {
  return {
    name: server.name,
    role,
    url: `postgres://postgres@${relay.host}:${relay.port}/postgres`,
    directUrl: `postgres://postgres@127.0.0.1:${server.port}/postgres`,
    host: relay.host,
    port: relay.port,
    directPort: server.port,
    dataDir: server.dataDir,
    setLatency: (ms) => relay.setLatency(ms),
    setMode: (mode) => relay.setMode(mode),
    get latencyMs() {
      return relay.latencyMs;
    },
    get mode() {
      return relay.mode;
    },
  };
}

/** A standby's public face with its lag knobs (each over a short-lived direct connection). */
export function replicaView(server: PostgresServer, relay: LatencyRelay): PostgresReplica {
  const run = (sql: string) =>
    withPostgresClient(server.port, (client) => client.query(sql)).then(() => undefined);
  const replayPosition = () =>
    withPostgresClient(server.port, async (client) => {
      const { rows } = await client.query<{ lsn: string | null }>(
        'select pg_last_wal_replay_lsn()::text as lsn',
      );
      const lsn = rows[0]?.lsn;
      if (lsn == null) {
        throw new EdgeDbError(
          'TESTING_SETUP_FAILED',
          `${server.name} reports no replay position: it is not in recovery.`,
        );
      }
      return parseLsn(lsn);
    });
  // Object.assign, not a spread: the view's `latencyMs` and `mode` are live getters.
  return Object.assign(nodeView(server, relay, 'replica'), {
    role: 'replica' as const,
    pause: () => run('select pg_wal_replay_pause()'),
    resume: () => run('select pg_wal_replay_resume()'),
    setApplyDelay: async (ms: number) => setApplyDelay(server, checkDelay(ms)),
    replayPosition,
    waitForPosition: (lsn: bigint, timeoutMs = 10_000) => waitForPosition(server, lsn, timeoutMs),
  });
}

async function setApplyDelay(server: PostgresServer, ms: number): Promise<void> {
  await withPostgresClient(server.port, async (client) => {
    await client.query(`alter system set recovery_min_apply_delay = '${ms}ms'`);
    await client.query('select pg_reload_conf()');
    // The reload is a signal; wait until backends (and so the startup process, signalled alike) have it.
    const deadline = Date.now() + 5_000;
    for (;;) {
      const { rows } = await client.query<{ setting: string }>(
        "select setting from pg_settings where name = 'recovery_min_apply_delay'",
      );
      if (rows[0]?.setting === String(ms)) return;
      if (Date.now() > deadline) {
        throw new EdgeDbError(
          'TIMEOUT',
          `${server.name} did not pick up recovery_min_apply_delay = ${ms}ms within 5 s.`,
        );
      }
      await sleep(10);
    }
  });
}

async function waitForPosition(server: PostgresServer, lsn: bigint, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const target = formatLsn(lsn);
  await withPostgresClient(
    server.port,
    async (client) => {
      for (;;) {
        const { rows } = await client.query<{ reached: boolean; at: string | null; paused: boolean }>(
          'select coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) as reached, ' +
            'pg_last_wal_replay_lsn()::text as at, pg_is_wal_replay_paused() as paused',
          [target],
        );
        const row = rows[0];
        if (row?.reached) return;
        if (Date.now() >= deadline) {
          const hint = row?.paused ? ' Replay is paused: call resume().' : '';
          throw new EdgeDbError(
            'REPLICA_BEHIND',
            `${server.name} had applied WAL up to ${row?.at ?? 'nothing'}, not ${target}, after ${timeoutMs} ms.${hint}`,
          );
        }
        await sleep(10);
      }
    },
    { connectTimeoutMs: Math.max(1, Math.min(5_000, timeoutMs)), queryTimeoutMs: Math.max(1_000, timeoutMs) },
  );
}

function checkDelay(ms: number): number {
  if (!Number.isInteger(ms) || ms < 0 || ms > 86_400_000) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `setApplyDelay(ms) needs an integer from 0 to 86400000, got ${String(ms)}.`,
    );
  }
  return ms;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
