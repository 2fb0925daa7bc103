import type { Client } from 'pg';
import { loadPg } from './load-pg.js';

/** Deadlines of a control connection. */
export interface ControlClientTimeouts {
  /** @default 5000 */
  readonly connectTimeoutMs?: number;
  /** @default 10000 */
  readonly queryTimeoutMs?: number;
}

/**
 * Opens a short-lived node-postgres `Client` to `127.0.0.1:port` as `postgres` (trust auth), runs `use`,
 * and always closes it. Every wait has a deadline: connect, each query, and the close itself.
 * Internal to the PostgreSQL test bed; `pg` is loaded lazily so `edge-db/testing` does not need it for libSQL.
 */
export async function withPostgresClient<T>(
  port: number,
  use: (client: Client) => Promise<T>,
  timeouts: ControlClientTimeouts = {},
): Promise<T> {
  const { Client: PgClient } = await loadPg('The PostgreSQL test bed (startPostgresCluster)');
  const queryTimeoutMs = timeouts.queryTimeoutMs ?? 10_000;
  const client = new PgClient({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    application_name: 'edge-db-testing',
    connectionTimeoutMillis: timeouts.connectTimeoutMs ?? 5_000,
    query_timeout: queryTimeoutMs,
    statement_timeout: queryTimeoutMs,
  });
  // An error event on an idle client must not crash the test process; the pending call reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await use(client);
  } finally {
    await closeWithin(client, 2_000);
  }
}

async function closeWithin(client: Client, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ended = client
    .end()
    .then(() => 'ended' as const)
    .catch(() => 'failed' as const);
  const deadline = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), ms);
  });
  const outcome = await Promise.race([ended, deadline]);
  clearTimeout(timer);
  // The server did not answer the Terminate in time: drop the socket so it does not keep the process alive.
  if (outcome !== 'ended') {
    (
      client as unknown as { connection?: { stream?: { destroy?: () => void } } }
    ).connection?.stream?.destroy?.();
  }
}
