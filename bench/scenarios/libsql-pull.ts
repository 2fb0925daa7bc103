import { createClient } from '@libsql/client';
import { Kysely } from 'kysely';
import { libsql } from '../../src/drivers/libsql/index.js';
import { consistencyToken, edgeDb } from '../../src/index.js';
import { regions } from '../../src/regions/index.js';
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

/** The replicas the scenario measures, one variant each (the full run adds a slower pull and sqld-like). */
interface Variant {
  readonly name: string;
  readonly topology: string;
  /** Index of the cluster's replica this variant reads from. */
  readonly replica: number;
  /** For `pulling` replicas: the pull interval set before measuring. */
  readonly pullIntervalMs?: number;
}

/**
 * Turso's "database CDN" shape: a libSQL primary far away and a proxy near the caller with an embedded replica
 * that pulls the primary's WAL every N ms (`replicaMode: 'pulling'`, forwarding writes). The full run adds a
 * slower pull and a sqld-like replica (`forwarding`: fetches a missing index at once) for contrast.
 */
export const libsqlPull: Scenario = {
  name: 'libsql-pull',
  description: `A libSQL primary ${LIBSQL_PULL_LATENCY_MS.primary} ms (one way) from the caller and a replica ${LIBSQL_PULL_LATENCY_MS.proxy} ms away (local libSQL cluster, edge-db's libSQL driver): a proxy pulling every 100 ms (full run: also 1000 ms, and a sqld-like forwarding replica); reads vs plain Kysely on the primary or the replica, and read-after-write with a token vs always-primary vs no consistency; interleaved.`,
  async run(context: ScenarioContext): Promise<BenchResult[]> {
    const variants: Variant[] = [
      { name: 'pull every 100 ms', topology: 'libsql pulling proxies', replica: 0, pullIntervalMs: 100 },
      ...(context.quick
        ? []
        : [
            {
              name: 'pull every 1000 ms',
              topology: 'libsql pulling proxies',
              replica: 0,
              pullIntervalMs: 1000,
            },
            { name: 'sqld-like (forwarding)', topology: 'libsql sqld replicas', replica: 1 },
          ]),
    ];
    const plan = context.quick ? { warmupRounds: 1, rounds: 3 } : { warmupRounds: 3, rounds: 20 };
    const perRound = 3;
    const options: LibsqlClusterOptions = {
      replicas: context.quick ? 1 : 2,
      replicaMode: ['pulling', 'forwarding'],
      pullIntervalMs: [100, 25],
    };
    context.log(`libsql-pull: starting a libSQL primary + replicas (${JSON.stringify(options)})`);
    const cluster = await startLibsqlCluster(options);
    try {
      const setup = createClient({ url: cluster.primary.url });
      try {
        await setup.execute('create table item (id integer primary key, name text not null)');
        await setup.execute(
          `insert into item with recursive n(v) as (select 1 union all select v + 1 from n where v < ${ROWS}) select v, 'item ' || v from n`,
        );
      } finally {
        setup.close();
      }
      const seeded = await cluster.primary.replicationIndex();
      for (const replica of cluster.replicas) {
        await replica.waitForIndex(seeded);
        await replica.setLatency(LIBSQL_PULL_LATENCY_MS.proxy);
      }
      cluster.primary.setLatency(LIBSQL_PULL_LATENCY_MS.primary);

      const results: BenchResult[] = [];
      let nextId = 4_000_000;
      for (const variant of variants) {
        const node = cluster.replicas[variant.replica];
        if (node === undefined)
          throw new Error(`libsql-pull: no replica ${variant.replica} for ${variant.name}`);
        if (variant.pullIntervalMs !== undefined) await node.setPullInterval(variant.pullIntervalMs);
        const described = `${variant.name} (replica mode ${node.mode}, pull interval ${node.pullIntervalMs} ms)`;
        const urls = { primary: cluster.primary.url, replica: node.url };
        results.push(
          ...(await measureVariant(context, urls, variant, described, plan, perRound, () => nextId++)),
        );
      }
      return results;
    } finally {
      await cluster.stop();
    }
  },
};

async function measureVariant(
  context: ScenarioContext,
  urls: { readonly primary: string; readonly replica: string },
  { name: variant, topology, pullIntervalMs }: Variant,
  described: string,
  plan: { warmupRounds: number; rounds: number },
  perRound: number,
  next: () => number,
): Promise<BenchResult[]> {
  const primaryUrl = urls.primary;
  const proxyUrl = urls.replica;
  context.log(`libsql-pull: ${described}, ${plan.rounds} interleaved rounds`);
  const primary = libsql({ url: primaryUrl, createClient, name: 'primary', region: 'sin' });
  // As documented for users: the backend says how the replica catches up, so the router can choose between
  // waiting for it and reading from the primary.
  const catchUp =
    pullIntervalMs === undefined
      ? { replicaMode: 'forwarding' as const }
      : { replicaMode: 'pulling' as const, pullIntervalMs };
  const replicas = [libsql({ url: proxyUrl, createClient, name: 'proxy', region: 'fra', ...catchUp })];
  const location = { region: 'fra' };
  const cluster = `bench-libsql-pull-${variant}`;
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
            edgeDb<PullDb>({ primary, replicas, location, regions, cluster, onRoute: reads.onRoute }),
            i,
          )),
        { perRound },
      ),
    ];
    const edgeCycle = new WriteReadArm(
      'edge-db',
      {
        write: async (id) => {
          const writer = edgeDb<PullDb>({ primary, replicas, location, regions, cluster });
          await insert(writer, id);
          return consistencyToken(writer);
        },
        read: async (id, token) => {
          const reader = edgeDb<PullDb>({
            primary,
            replicas,
            location,
            regions,
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
    const delays = `one-way delays: primary ${LIBSQL_PULL_LATENCY_MS.primary} ms, replica ${LIBSQL_PULL_LATENCY_MS.proxy} ms; ${described}`;
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
