import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { neon } from '../../../src/drivers/neon/index.js';
import { type PostgresCluster, startPostgresClusterWith } from '../../../src/testing/index.js';

// The proxy runs in a child process of its own: the question is whether faults of the databases behind it
// (a relay going down, a standby killing its sessions) crash the process that hosts it. Each round puts the
// proxy under load with queries that are mid-flight on the standby, then injects the fault.

const fixture = join(import.meta.dirname, 'fixtures', 'neon-proxy-host.mts');
const HTTP_SINGLE = 12;
const HTTP_BATCHES = 4;
const WEBSOCKET_TRANSACTIONS = 4;

let cluster: PostgresCluster;
let host: ChildProcessByStdio<null, Readable, Readable> | undefined;
let proxyUrl: string;
let hostStderr = '';

beforeAll(async () => {
  cluster = await startPostgresClusterWith({ replicas: 1 });
});
afterAll(async () => {
  await cluster?.stop();
});

// A fresh host per test, so one crash does not fail the next fault's test too.
beforeEach(async () => {
  hostStderr = '';
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
  host = child;
  child.stderr.on('data', (chunk: Buffer) => {
    hostStderr += chunk.toString();
  });
  proxyUrl = await firstLine(child.stdout, 30_000).then((line) => (JSON.parse(line) as { url: string }).url);
});
afterEach(async () => {
  const child = host;
  host = undefined;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
});

describe('the local Neon proxy survives faults of the databases behind it', () => {
  it.each([
    [
      'the standby’s relay goes down',
      (replica: PostgresCluster['replicas'][number], _sleep: string) => replica.setMode('down'),
    ],
    [
      'the standby terminates the sessions',
      (replica: PostgresCluster['replicas'][number], sleep: string) =>
        terminateSleepers(replica.directUrl, sleep),
    ],
  ] as const)(
    'answers every in-flight request with an error and keeps running when %s mid-query',
    async (_, fault) => {
      const replica = cluster.replicas[0]!;
      // A text of its own per test: sessions of an earlier test may still be sleeping on the standby.
      const SLEEP = `select pg_sleep(4) as "${crypto.randomUUID()}"`;
      const db = new Kysely<Record<string, never>>({
        dialect: neon({
          url: replica.url,
          wsProxy: (targetHost, targetPort) =>
            `${new URL(proxyUrl).host}/v1?address=${targetHost}:${targetPort}`,
          useSecureWebSocket: false,
          pipelineConnect: false,
          forceDisablePgSSL: true,
          webSocketConstructor: WebSocket as never,
          requestTimeoutMs: 15_000,
          // Releasing a connection whose WebSocket died waits this long for the client to end (a driver matter).
          connectTimeoutMs: 2_000,
        }).dialect,
      });
      try {
        const http = [
          ...Array.from({ length: HTTP_SINGLE }, () =>
            sqlOverHttp(replica.url, { query: SLEEP, params: [] }),
          ),
          ...Array.from({ length: HTTP_BATCHES }, () =>
            sqlOverHttp(replica.url, {
              queries: [
                { query: 'select 1', params: [] },
                { query: SLEEP, params: [] },
              ],
            }),
          ),
        ];
        const websocket = Array.from({ length: WEBSOCKET_TRANSACTIONS }, () =>
          db
            .transaction()
            .execute((trx) => sql`${sql.raw(SLEEP)}`.execute(trx))
            .then(
              () => 'completed' as const,
              () => 'failed' as const,
            ),
        );
        await waitForSleepers(replica.directUrl, SLEEP, HTTP_SINGLE + HTTP_BATCHES + WEBSOCKET_TRANSACTIONS);
        await fault(replica, SLEEP);

        const answers = await Promise.all(http);
        const transactions = await Promise.all(websocket);
        expect({ exitCode: host?.exitCode, signal: host?.signalCode, stderr: hostStderr }).toEqual({
          exitCode: null,
          signal: null,
          stderr: '',
        });
        expect(answers.filter((answer) => answer.kind === 'no-response')).toEqual([]);
        expect(answers.every((answer) => answer.kind === 'response' && answer.status >= 400)).toBe(true);
        expect(transactions).toEqual(Array(WEBSOCKET_TRANSACTIONS).fill('failed'));

        replica.setMode('up');
        const after = await untilAnswered(replica.url, 'select 1 as one');
        expect(after).toEqual({
          kind: 'response',
          status: 200,
          body: expect.objectContaining({ rows: [['1']] }),
        });
      } finally {
        replica.setMode('up');
        await db.destroy();
      }
    },
  );
});

type HttpAnswer =
  | { readonly kind: 'response'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'no-response'; readonly error: string };

/** One SQL-over-HTTP request as the Neon driver sends it; a lost connection is an answer too. */
async function sqlOverHttp(nodeUrl: string, body: unknown): Promise<HttpAnswer> {
  try {
    const response = await fetch(`${proxyUrl}/sql`, {
      method: 'POST',
      headers: {
        'Neon-Connection-String': nodeUrl,
        'Neon-Raw-Text-Output': 'true',
        'Neon-Array-Mode': 'true',
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    return { kind: 'response', status: response.status, body: await response.json() };
  } catch (error) {
    return { kind: 'no-response', error: String((error as Error).cause ?? error) };
  }
}

/**
 * The proxy's first request after `setMode('up')` can race the relay re-binding its port (the relay lives
 * in this process, the proxy in another), so a refused connection is retried, within a deadline.
 */
async function untilAnswered(nodeUrl: string, query: string): Promise<HttpAnswer> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const answer = await sqlOverHttp(nodeUrl, { query, params: [] });
    const refused =
      answer.kind === 'response' &&
      answer.status === 502 &&
      JSON.stringify(answer.body).includes('ECONNREFUSED');
    if (!refused || Date.now() >= deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function withDirectClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 5_000,
    query_timeout: 5_000,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const sleepersSql = (sleep: string) =>
  `select pid from pg_stat_activity where state = 'active' and query = '${sleep}' and pid <> pg_backend_pid()`;

/** Waits until `count` sessions run `sleep` on the standby, so the fault lands mid-query. */
async function waitForSleepers(url: string, sleep: string, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  let seen = 0;
  while (Date.now() < deadline) {
    seen = await withDirectClient(
      url,
      async (client) => (await client.query(sleepersSql(sleep))).rowCount ?? 0,
    );
    if (seen >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`only ${seen} of ${count} queries reached the standby within 10 s`);
}

async function terminateSleepers(url: string, sleep: string): Promise<void> {
  await withDirectClient(url, (client) =>
    client.query(`select pg_terminate_backend(pid) from (${sleepersSql(sleep)}) as sleepers`),
  );
}

async function firstLine(stream: Readable, timeoutMs: number): Promise<string> {
  let buffered = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await new Promise<string>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no line from the proxy host within ${timeoutMs} ms`)),
        timeoutMs,
      );
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const end = buffered.indexOf('\n');
        if (end >= 0) resolve(buffered.slice(0, end));
      });
      stream.once('end', () => reject(new Error(`the proxy host exited: ${hostStderr}`)));
    });
  } finally {
    clearTimeout(timer);
  }
}
