import { type DatabaseConnection, type Driver, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neon } from '../../../../src/drivers/neon/index.js';
import {
  type Backend,
  EdgeDbError,
  edgeDb,
  type RouteEvent,
  resetClusterState,
} from '../../../../src/index.js';
import { type NeonProxy, neonLocalSettings, type PostgresCluster } from '../../../../src/testing/index.js';
import { startNeonPostgresCluster } from '../../../support/neon-postgres-cluster.js';

// Issue 19.1: `stream()` passed the driver's stream through, so neither `timeoutMs` nor `attemptTimeoutMs`
// applied and health was not recorded: a stream whose standby died mid-stream hung for ever. It must end with
// a typed error within its deadline, release its connection and count as a node failure.

interface DB {
  numbers: { n: number };
}

const ATTEMPT_TIMEOUT_MS = 500;
/** Far beyond the stream's deadlines: only a stream that hangs gets here. */
const HANG_MS = 10_000;

let cluster: PostgresCluster;
let proxy: NeonProxy;

beforeAll(async () => {
  ({ cluster, proxy } = await startNeonPostgresCluster({ replicas: 1 }));
  const setup = edgeDb<DB>({ primary: neon(neonLocalSettings(proxy, cluster.primary.url)) });
  await sql`create table numbers as select generate_series(1, 2000) as n`.execute(setup);
  await setup.destroy();
  await cluster.replicas[0]!.waitForPosition(await cluster.primary.currentPosition());
});

afterAll(async () => {
  cluster?.replicas[0]?.setMode('up');
  await proxy?.close();
  await cluster?.stop();
});

/** The backend with its driver's acquire/release calls counted (the proxy's own sockets outlive a partition). */
function counted(backend: Backend): { backend: Backend; counts: { acquired: number; released: number } } {
  const counts = { acquired: 0, released: 0 };
  const dialect = new Proxy(backend.dialect, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property !== 'createDriver') return typeof value === 'function' ? value.bind(target) : value;
      return () => {
        const driver: Driver = target.createDriver();
        return new Proxy(driver, {
          get(inner, name) {
            const member = Reflect.get(inner, name, inner);
            if (name === 'acquireConnection')
              return async () => {
                const connection = await driver.acquireConnection();
                counts.acquired++;
                return connection;
              };
            if (name === 'releaseConnection')
              return async (connection: DatabaseConnection) => {
                counts.released++;
                await driver.releaseConnection(connection);
              };
            return typeof member === 'function' ? member.bind(inner) : member;
          },
        });
      };
    },
  });
  return { backend: { ...backend, dialect }, counts };
}

function instance(events: RouteEvent[], replica: Backend) {
  return edgeDb<DB>({
    primary: neon({
      ...neonLocalSettings(proxy, cluster.primary.url),
      name: 'primary',
      connectTimeoutMs: 1000,
    }),
    replicas: [replica],
    cluster: 'stream-dies',
    attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
    health: { consecutiveFailures: 1 },
    onRoute: (e) => events.push(e),
  });
}

function replicaBackend(): Backend {
  return neon({
    ...neonLocalSettings(proxy, cluster.replicas[0]!.url),
    name: 'replica-0',
    connectTimeoutMs: 1000,
  });
}

describe('a stream whose standby dies mid-stream (19.1, real PostgreSQL standby)', () => {
  it('ends with TIMEOUT, releases its connection and counts as a node failure', async () => {
    resetClusterState();
    const events: RouteEvent[] = [];
    const replica = counted(replicaBackend());
    const db = instance(events, replica.backend);
    let rows = 0;
    const streaming = (async () => {
      for await (const row of db.selectFrom('numbers').selectAll().stream(100)) {
        rows++;
        // the standby hangs once rows are flowing (a partition: nothing answers, nothing is closed)
        if (rows === 1) cluster.replicas[0]!.setMode('blackhole');
        void row;
      }
    })();
    let hangTimer: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<'hung'>((resolve) => {
      hangTimer = setTimeout(() => resolve('hung'), HANG_MS);
    });
    const outcome = await Promise.race([
      streaming.then(
        () => 'finished',
        (error: unknown) => error,
      ),
      hung,
    ]);
    clearTimeout(hangTimer);
    expect(outcome).toBeInstanceOf(EdgeDbError);
    expect(outcome).toMatchObject({ code: 'TIMEOUT' });
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(2000);
    // the stream's connection to the dead standby was handed back to its driver
    expect(replica.counts).toEqual({ acquired: 1, released: 1 });
    const streamed = events.find((e) => e.sql.startsWith('select * from "numbers"'));
    expect(streamed).toMatchObject({
      node: 'replica-0',
      attempts: [{ node: 'replica-0', outcome: 'timeout' }],
    });

    // counted as a failure: with consecutiveFailures 1 the standby is ejected, the next read skips it
    const next: RouteEvent[] = [];
    const fresh = instance(next, replicaBackend());
    expect(await fresh.selectFrom('numbers').select('n').where('n', '=', 7).execute()).toEqual([{ n: 7 }]);
    expect(next.at(-1)?.attempts).toEqual([expect.objectContaining({ node: 'primary', outcome: 'ok' })]);

    cluster.replicas[0]!.setMode('up');
    await db.destroy();
    await fresh.destroy();
  });

  it('a standby that hangs before the first rows ends the stream with TIMEOUT too', async () => {
    resetClusterState();
    const events: RouteEvent[] = [];
    const replica = counted(replicaBackend());
    const db = instance(events, replica.backend);
    cluster.replicas[0]!.setMode('blackhole');
    try {
      let hangTimer: ReturnType<typeof setTimeout> | undefined;
      const hung = new Promise<'hung'>((resolve) => {
        hangTimer = setTimeout(() => resolve('hung'), HANG_MS);
      });
      const streaming = (async () => {
        let rows = 0;
        for await (const _row of db.selectFrom('numbers').selectAll().stream(100)) rows++;
        return rows;
      })();
      const outcome = await Promise.race([streaming.catch((error: unknown) => error), hung]);
      clearTimeout(hangTimer);
      expect(outcome).toMatchObject({ code: 'TIMEOUT' });
      expect(events.at(-1)).toMatchObject({ node: 'replica-0', attempts: [{ outcome: 'timeout' }] });
      expect(replica.counts.released).toBe(replica.counts.acquired);
    } finally {
      cluster.replicas[0]!.setMode('up');
      await db.destroy();
    }
  });
});
