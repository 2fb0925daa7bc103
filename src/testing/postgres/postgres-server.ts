import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { findFreePort } from '../network/find-free-port.js';
import type { PostgresBinaries } from './postgres-binaries.js';
import { CommandError, type PostgresCommandRunner } from './postgres-command-runner.js';

/** Everything needed to run one server of a test cluster. Internal to the PostgreSQL test bed. */
export interface PostgresServerContext {
  readonly binaries: PostgresBinaries;
  readonly runner: PostgresCommandRunner;
  /** Epoch milliseconds by which the cluster must be up. */
  readonly deadline: number;
}

/** One PostgreSQL server process and its files. Internal to the PostgreSQL test bed. */
export interface PostgresServer {
  readonly name: string;
  readonly dataDir: string;
  readonly logFile: string;
  port: number;
}

const BIND_ATTEMPTS = 3;

/** Milliseconds left before the deadline, at least 1. */
export function remaining(context: PostgresServerContext): number {
  return Math.max(1, context.deadline - Date.now());
}

/** Creates the primary's data folder with trust authentication for loopback and replication. */
export async function initPrimary(
  context: PostgresServerContext,
  server: PostgresServer,
  settings: { readonly maxWalSenders: number; readonly synchronousCommit: boolean },
): Promise<void> {
  const { binaries, runner } = context;
  await step(server, 'initdb', () =>
    runner.run(
      binaries.initdb,
      ['-D', server.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      remaining(context),
    ),
  );
  await writeFile(
    join(server.dataDir, 'pg_hba.conf'),
    [
      '# edge-db test bed: no passwords, loopback only.',
      'local all all trust',
      'host all all 127.0.0.1/32 trust',
      'host replication all 127.0.0.1/32 trust',
      '',
    ].join('\n'),
  );
  // Durability is worthless for a throw-away cluster; speed and small memory matter.
  await appendFile(
    join(server.dataDir, 'postgresql.conf'),
    [
      '',
      '# edge-db test bed',
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      'wal_level = replica',
      'hot_standby = on',
      'hot_standby_feedback = on',
      'fsync = off',
      'full_page_writes = off',
      `synchronous_commit = ${settings.synchronousCommit ? 'on' : 'off'}`,
      `max_wal_senders = ${settings.maxWalSenders}`,
      `max_replication_slots = ${settings.maxWalSenders}`,
      "wal_keep_size = '128MB'",
      'wal_receiver_status_interval = 1',
      'max_connections = 50',
      "shared_buffers = '16MB'",
      'logging_collector = off',
      "log_line_prefix = '%m [%p] '",
      '',
    ].join('\n'),
  );
}

/** Copies the primary into a standby's data folder with `pg_basebackup -R -X stream -c fast`. */
export async function baseBackup(
  context: PostgresServerContext,
  primary: PostgresServer,
  standby: PostgresServer,
): Promise<void> {
  const { binaries, runner } = context;
  await step(standby, 'pg_basebackup', () =>
    runner.run(
      binaries.pgBasebackup,
      [
        ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', standby.dataDir],
        ...['-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
      ],
      remaining(context),
    ),
  );
}

/**
 * Starts a server on a free loopback port and waits until it accepts connections (a standby: read-only ones).
 * Picks another port when the first one was taken in the meantime.
 */
export async function startServer(context: PostgresServerContext, server: PostgresServer): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    server.port = await findFreePort();
    // postgresql.auto.conf comes last and its last line wins, so this overrides what a base backup copied.
    await appendFile(
      join(server.dataDir, 'postgresql.auto.conf'),
      `port = ${server.port}\ncluster_name = '${server.name}'\n`,
    );
    try {
      const seconds = Math.max(1, Math.floor(remaining(context) / 1000));
      await context.runner.run(
        context.binaries.pgCtl,
        ['start', '-D', server.dataDir, '-l', server.logFile, '-w', '-t', String(seconds), '-s'],
        remaining(context) + 2_000,
      );
      return;
    } catch (error) {
      const log = await logTail(server);
      const portTaken = /could not bind|address already in use/i.test(log);
      if (portTaken && attempt < BIND_ATTEMPTS) continue;
      throw setupError(server, 'pg_ctl start', error, log);
    }
  }
}

/** Stops a server: `fast` first, `immediate` when that does not finish within `timeoutMs`. */
export async function stopServer(
  runner: PostgresCommandRunner,
  binaries: PostgresBinaries,
  server: PostgresServer,
  timeoutMs: number,
): Promise<void> {
  const pid = await postmasterPid(server);
  if (pid === undefined) return;
  const stop = (mode: 'fast' | 'immediate') =>
    runner.run(
      binaries.pgCtl,
      ['stop', '-D', server.dataDir, '-m', mode, '-w', '-t', String(Math.ceil(timeoutMs / 1000)), '-s'],
      timeoutMs + 2_000,
    );
  try {
    await stop('fast');
  } catch {
    await stop('immediate');
  }
  // pg_ctl returns once postmaster.pid is gone, a moment before the process has exited.
  await waitForExit(pid, timeoutMs);
}

async function postmasterPid(server: PostgresServer): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(join(server.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await isRunning(pid)) {
    if (Date.now() >= deadline)
      throw new Error(`postgres (pid ${pid}) was still running ${timeoutMs} ms after pg_ctl stop`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** True while `pid` exists and is not a zombie waiting for its parent (init) to reap it. */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Synchronous `pg_ctl stop -m immediate`, for the exit hook. */
export function stopServerNow(
  runner: PostgresCommandRunner,
  binaries: PostgresBinaries,
  server: PostgresServer,
): void {
  if (!existsSync(join(server.dataDir, 'postmaster.pid'))) return;
  runner.runSync(
    binaries.pgCtl,
    ['stop', '-D', server.dataDir, '-m', 'immediate', '-w', '-t', '5', '-s'],
    7_000,
  );
}

/** The last lines of the server's log, for error messages. */
export async function logTail(server: PostgresServer, lines = 25): Promise<string> {
  try {
    const text = await readFile(server.logFile, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log was written)';
  }
}

async function step(server: PostgresServer, what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    throw setupError(server, what, error, await logTail(server));
  }
}

function setupError(server: PostgresServer, what: string, error: unknown, log: string): EdgeDbError {
  const output = error instanceof CommandError ? error.message : String(error);
  return new EdgeDbError(
    'TESTING_SETUP_FAILED',
    `Starting the PostgreSQL test cluster failed at ${what} for ${server.name} (data folder ${server.dataDir}).\n` +
      `${output}\n--- server log (${server.logFile}), last lines ---\n${log}`,
    { cause: error },
  );
}
