import { createClient } from '@libsql/client';
import { Kysely } from 'kysely';
import { libsql } from '../../src/drivers/libsql/index.js';
import { consistencyToken, edgeDb } from '../../src/index.js';
import { type LibsqlClusterOptions, startLibsqlCluster } from '../../src/testing/index.js';
import type { BenchResult, Comparison } from '../lib/bench-result.js';
import { ratioComparison } from '../lib/comparison.js';
import { interleave, TimedArm } from '../lib/interleave.js';
import { round, summarize } from '../lib/percentiles.js';
import { RouteCounter } from '../lib/route-counter.js';
import { latencyRow, type Scenario, type ScenarioContext } from '../lib/scenario.js';
import { WriteReadArm } from '../lib/write-read-arm.js';

interface PullDb {
  item: { id: number; name: string };
}

/** One-way delays: the primary far from the caller, the pulling proxy next to it. */
export const LIBSQL_PULL_LATENCY_MS = Object.freeze({ primary: 70, proxy: 2 });

const ROWS = 100;

/**
 * Turso's "database CDN" shape: a libSQL primary far away and a replica near the caller that pulls the
 * primary's WAL every N ms (an embedded replica behind a proxy). `startLibsqlCluster`'s replicas pull on an
 * interval (`pullIntervalMs`, `setPullInterval`); each pull interval is one variant.
 */
export const libsqlPull: Scenario = {
  name: 'libsql-pull',
  description: `A libSQL primary ${LIBSQL_PULL_LATENCY_MS.primary} ms (one way) from the caller and a pulling replica ${LIBSQL_PULL_LATENCY_MS.proxy} ms away (local libSQL cluster, edge-db's libSQL driver), per pull interval: reads vs plain Kysely on the primary or the replica, and read-after-write with a token vs always-primary vs no consistency; interleaved.`,
  async run(context: ScenarioContext): Promise<BenchResult[]> {
    const intervals = context.quick ? [100] : [100, 1000];
    const plan = context.quick ? { warmupRounds: 2, rounds: 6 } : { warmupRounds: 4, rounds: 30 };
    const perRound = 3;
    const options: LibsqlClusterOptions = { replicas: 1, pullIntervalMs: intervals[0]! };
    context.log(
      `libsql-pull: starting a libSQL primary + 1 pulling replica (options ${JSON.stringify(options)})`,
    );
    const cluster = await startLibsqlCluster(options);
    try {
      const [proxyNode] = cluster.replicas;
      if (proxyNode === undefined) throw new Error('libsql-pull needs one replica');
      const setup = createClient({ url: cluster.primary.url });
      try {
        await setup.batch(
          [
            'create table item (id integer primary key, name text not null)',
            `insert into item select value, 'item ' || value from generate_series(1, ${ROWS})`,
          ],
          'write',
        );
      } catch {
        // generate_series is an extension in some libSQL builds: fall back to a recursive CTE.
        await setup.execute(
          `insert into item with recursive n(v) as (select 1 union all select v + 1 from n where v < ${ROWS}) select v, 'item ' || v from n`,
        );
      } finally {
        setup.close();
      }
      await proxyNode.waitForIndex(await cluster.primary.replicationIndex());
      cluster.primary.setLatency(LIBSQL_PULL_LATENCY_MS.primary);
      await proxyNode.setLatency(LIBSQL_PULL_LATENCY_MS.proxy);

      const results: BenchResult[] = [];
      let nextId = 4_000_000;
      for (const interval of intervals) {
        await proxyNode.setPullInterval(interval);
        results.push(
          ...(await measureInterval(
            context,
            cluster.primary.url,
            proxyNode.url,
            interval,
            plan,
            perRound,
            () => nextId++,
          )),
        );
      }
      return results;
    } finally {
      await cluster.stop();
    }
  },
};

async function measureInterval(
  context: ScenarioContext,
  primaryUrl: string,
  proxyUrl: string,
  interval: number,
  plan: { warmupRounds: number; rounds: number },
  perRound: number,
  next: () => number,
): Promise<BenchResult[]> {
  const variant = `pull every ${interval} ms`;
  context.log(`libsql-pull: ${variant}, ${plan.rounds} interleaved rounds`);
  const primary = libsql({ url: primaryUrl, createClient, name: 'primary', region: 'sin' });
  const replicas = [libsql({ url: proxyUrl, createClient, name: 'proxy', region: 'fra' })];
  const location = { region: 'fra' };
  const cluster = `bench-libsql-pull-${interval}`;
  const onPrimary = new Kysely<PullDb>({ dialect: libsql({ url: primaryUrl, createClient }).dialect });
  const onProxy = new Kysely<PullDb>({ dialect: libsql({ url: proxyUrl, createClient }).dialect });
  const reads = new RouteCounter();
  const afterWrite = new RouteCounter();
  const readById = (db: Kysely<PullDb>, i: number) =>
    db
      .selectFrom('item')
      .select(['id', 'name'])
      .where('id', '=', (i % ROWS) + 1)
      .executeTakeFirst();
  const find = (db: Kysely<PullDb>, id: number) =>
    db.selectFrom('item').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  const insert = (db: Kysely<PullDb>, id: number) =>
    db
      .insertInto('item')
      .values({ id, name: `pull ${id}` })
      .execute();
  try {
    const readArms = [
      new TimedArm('kysely (proxy only)', async (i) => void (await readById(onProxy, i)), { perRound }),
      new TimedArm('kysely (primary only)', async (i) => void (await readById(onPrimary, i)), { perRound }),
      new TimedArm(
        'edge-db',
        async (i) =>
          void (await readById(
            edgeDb<PullDb>({ primary, replicas, location, cluster, onRoute: reads.onRoute }),
            i,
          )),
        { perRound },
      ),
    ];
    const edgeCycle = new WriteReadArm(
      'edge-db',
      {
        write: async (id) => {
          const writer = edgeDb<PullDb>({ primary, replicas, location, cluster });
          await insert(writer, id);
          return consistencyToken(writer);
        },
        read: async (id, token) => {
          const reader = edgeDb<PullDb>({
            primary,
            replicas,
            location,
            cluster,
            onRoute: afterWrite.onRoute,
            consistency: { token: token as string | null },
          });
          return (await find(reader, id)) !== undefined;
        },
      },
      next,
    );
    const alwaysPrimary = new WriteReadArm(
      'always-primary-after-write',
      { write: (id) => insert(onPrimary, id), read: async (id) => (await find(onPrimary, id)) !== undefined },
      next,
    );
    const loose = new WriteReadArm(
      'no consistency (proxy)',
      { write: (id) => insert(onPrimary, id), read: async (id) => (await find(onProxy, id)) !== undefined },
      next,
    );
    const cycles = [edgeCycle, alwaysPrimary, loose];
    await interleave(
      [...readArms, ...cycles].map((arm) => ({
        name: arm.name,
        run: async (r) => {
          reads.enabled = afterWrite.enabled = !r.warmup;
          await arm.run(r);
        },
      })),
      plan,
    );
    const topology = 'libsql pulling proxies';
    const delays = `one-way delays: primary ${LIBSQL_PULL_LATENCY_MS.primary} ms, proxy ${LIBSQL_PULL_LATENCY_MS.proxy} ms; the proxy pulls every ${interval} ms`;
    const [proxyOnly, primaryOnly, edgeRead] = readArms as [TimedArm, TimedArm, TimedArm];
    const rows: BenchResult[] = readArms.map((arm) =>
      latencyRow(
        {
          scenario: 'libsql-pull',
          system: arm.name,
          variant: `${variant}: read`,
          topology,
          ...(arm === edgeRead
            ? {
                values: { replica_read_share: round(reads.share('replica'), 3) },
                comparisons: [
                  ratioComparison('vs proxy read', arm.rounds, proxyOnly.rounds),
                  ratioComparison('vs primary read', arm.rounds, primaryOnly.rounds),
                ],
              }
            : {}),
          notes:
            `${delays}; ${plan.rounds} interleaved rounds of ${perRound} point reads` +
            (arm === edgeRead ? `; one instance per read; served by: ${reads.describe()}` : ''),
        },
        summarize(arm.samples),
      ),
    );
    for (const cycle of cycles) {
      const comparisons: Comparison[] =
        cycle === edgeCycle
          ? [
              ratioComparison('write vs plain Kysely write', cycle.writes, alwaysPrimary.writes),
              ratioComparison('read vs always-primary read', cycle.reads, alwaysPrimary.reads),
              ratioComparison('read vs proxy read (no consistency)', cycle.reads, loose.reads),
            ]
          : [];
      rows.push(
        latencyRow(
          {
            scenario: 'libsql-pull',
            system: cycle.name,
            variant: `${variant}: read after write`,
            topology,
            stale_reads: cycle.stale,
            values: {
              write_p50_ms: round(summarize(cycle.writes).p50_ms, 3),
              ...(cycle === edgeCycle ? { replica_read_share: round(afterWrite.share('replica'), 3) } : {}),
            },
            ...(comparisons.length === 0 ? {} : { comparisons }),
            notes:
              `${delays}; ${plan.rounds} interleaved rounds of one write-then-read cycle; p50/p95/p99 are of the read` +
              (cycle === edgeCycle ? `; reads served by: ${afterWrite.describe()}` : ''),
          },
          summarize(cycle.reads),
        ),
      );
    }
    return rows;
  } finally {
    await Promise.allSettled([onPrimary.destroy(), onProxy.destroy()]);
  }
}
