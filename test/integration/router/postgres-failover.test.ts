import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EdgeDbError, edgeDb, type RouteEvent, resetClusterState } from '../../../src/index.js';
import { regions } from '../../../src/regions/index.js';
import { type PostgresCluster, startPostgresClusterWith } from '../../../src/testing/index.js';
import { pgBackends } from './pg-backends.js';

interface DB {
  city: { id: number; name: string };
}

let cluster: PostgresCluster;
let backends: ReturnType<typeof pgBackends>;

beforeAll(async () => {
  cluster = await startPostgresClusterWith({ replicas: 2 });
  // the caller is in Frankfurt: replica-0 next door, replica-1 across the Atlantic, the primary in Sydney
  cluster.primary.setLatency(30);
  cluster.replicas[0]!.setLatency(1);
  cluster.replicas[1]!.setLatency(8);
  backends = pgBackends(cluster, { regions: ['syd', 'fra', 'iad'] });
  const setup = edgeDb<DB>({ primary: backends.primary, regions });
  await setup.schema
    .createTable('city')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .execute();
  await setup.insertInto('city').values({ id: 1, name: 'Frankfurt' }).execute();
  await cluster.replicas[0]!.waitForPosition(await cluster.primary.currentPosition());
  await cluster.replicas[1]!.waitForPosition(await cluster.primary.currentPosition());
});

afterAll(async () => {
  await backends?.end();
  await cluster?.stop();
});

function instance(events: RouteEvent[]) {
  return edgeDb<DB>({
    primary: backends.primary,
    replicas: backends.replicas,
    cluster: 'failover',
    location: { region: 'fra' },
    regions,
    attemptTimeoutMs: 400,
    health: { consecutiveFailures: 2, baseEjectionMs: 300, maxEjectionMs: 2000 },
    onRoute: (e) => events.push(e),
  });
}

describe('nearest healthy replica on a real cluster with simulated distance', () => {
  it('settles on the near replica, survives its outage with zero app errors, and returns after recovery', async () => {
    resetClusterState();
    const served: string[] = [];
    let errors = 0;
    for (let i = 0; i < 1000; i++) {
      if (i === 300) cluster.replicas[0]!.setMode('down');
      if (i === 550) cluster.replicas[0]!.setMode('blackhole');
      if (i === 650) cluster.replicas[0]!.setMode('up');
      const events: RouteEvent[] = [];
      // a new instance per request, as in an edge function; health and latency live in the isolate
      const db = instance(events);
      try {
        const rows = await db.selectFrom('city').select('name').where('id', '=', 1).execute();
        if (rows[0]?.name !== 'Frankfurt') errors++;
      } catch {
        errors++;
      }
      served.push(events.at(-1)?.node ?? 'none');
    }
    const share = (from: number, to: number, node: string) =>
      served.slice(from, to).filter((n) => n === node).length / (to - from);
    console.log('failover workload', {
      reads: served.length,
      errors,
      nearBefore: share(50, 300, 'replica-0'),
      nearDuringOutage: share(320, 650, 'replica-0'),
      nearAfterRecovery: share(900, 1000, 'replica-0'),
      primaryShare: share(0, 1000, 'primary'),
    });
    expect(errors).toBe(0);
    expect(share(50, 300, 'replica-0')).toBeGreaterThan(0.9);
    expect(share(320, 550, 'replica-0')).toBe(0);
    expect(share(900, 1000, 'replica-0')).toBeGreaterThan(0.9);
  });

  it('fails writes fast with PRIMARY_UNAVAILABLE while reads keep working when the primary is down', async () => {
    resetClusterState();
    cluster.primary.setMode('down');
    try {
      const events: RouteEvent[] = [];
      const db = instance(events);
      const started = Date.now();
      const error = await db
        .insertInto('city')
        .values({ id: 2, name: 'Sydney' })
        .execute()
        .catch((e: unknown) => e);
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(EdgeDbError);
      expect((error as EdgeDbError).code).toBe('PRIMARY_UNAVAILABLE');
      console.log('write against a down primary failed after', elapsed, 'ms');
      const rows = await instance(events).selectFrom('city').select('name').execute();
      expect(rows).toEqual([{ name: 'Frankfurt' }]);
      expect(events.at(-1)?.role).toBe('replica');
    } finally {
      cluster.primary.setMode('up');
    }
  });
});
