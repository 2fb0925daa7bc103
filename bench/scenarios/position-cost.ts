import { Kysely } from 'kysely';
import { neon } from '../../src/drivers/neon/index.js';
import { type Backend, consistencyToken, edgeDb, type RouteEvent } from '../../src/index.js';
import { regions } from '../../src/regions/index.js';
import { neonLocalSettings, postgresHttpRoutes, startNeonProxy } from '../../src/testing/index.js';
import type { BenchResult } from '../lib/bench-result.js';
import { ratioComparison } from '../lib/comparison.js';
import { interleave, TimedArm } from '../lib/interleave.js';
import { summarize } from '../lib/percentiles.js';
import { GEO_REGIONS, type GeoDb } from '../lib/postgres-geo-bed.js';
import { latencyRow, type Scenario } from '../lib/scenario.js';

const find = (db: Kysely<GeoDb>, id: number) =>
  db.selectFrom('item').select(['id', 'name']).where('id', '=', id).executeTakeFirst();

/**
 * What proving a replica fresh costs on the near replica (2 ms one way), per transport, through the public API:
 * a read with the token of a write made just before (untimed) against a plain read of the same replica. For
 * Neon HTTP the 2 ms are between the caller and the proxy, and the check can ride in the read's own request;
 * over node-postgres (any Kysely Postgres dialect) it is whatever the router does on that driver.
 */
export const positionCost: Scenario = {
  name: 'position-cost',
  description:
    'Cost of a read that must prove the near replica (2 ms one way) has a write made just before (the token of the write, new instance) vs a plain read of that replica, over Neon HTTP and node-postgres; interleaved.',
  async run(context): Promise<BenchResult[]> {
    const bed = await context.geoBed();
    const [nearNode] = bed.cluster.replicas;
    if (nearNode === undefined) throw new Error('position-cost needs the near replica');
    const plan = context.quick ? { warmupRounds: 1, rounds: 4 } : { warmupRounds: 4, rounds: 40 };
    // Neon's proxy sits next to its database; the long hop is caller → proxy: the routes hold each HTTP request
    // for the node's one-way latency on the way in and out, and the proxy talks to the standby directly.
    const proxy = await startNeonProxy({ httpRoute: postgresHttpRoutes(bed.cluster) });
    const reasons = new Map<string, Map<string, number>>();
    const stale = new Map<string, number>();
    try {
      const transports: { name: string; primary: Backend; near: Backend }[] = [
        {
          name: 'neon http',
          primary: {
            ...neon({ ...neonLocalSettings(proxy, bed.cluster.primary.url), name: 'primary' }),
            region: GEO_REGIONS.primary,
          },
          near: {
            ...neon({ ...neonLocalSettings(proxy, nearNode.url), name: 'replica-near' }),
            region: GEO_REGIONS.nearReplica,
          },
        },
        {
          name: 'node-postgres',
          primary: { name: 'primary', dialect: bed.dialect('primary'), region: GEO_REGIONS.primary },
          near: { name: 'replica-near', dialect: bed.dialect('near'), region: GEO_REGIONS.nearReplica },
        },
      ];
      let nextId = 2_000_000;
      const arms: TimedArm[] = [];
      for (const transport of transports) {
        const counts = new Map<string, number>();
        reasons.set(transport.name, counts);
        const config = {
          primary: transport.primary,
          replicas: [transport.near],
          location: { region: GEO_REGIONS.caller },
          regions,
          cluster: `bench-position-cost-${transport.name}`,
        };
        const plain = new Kysely<GeoDb>({ dialect: transport.near.dialect });
        arms.push(
          new TimedArm(
            `${transport.name}: plain read`,
            async (i) => void (await find(plain, (i % 100) + 1)),
            {
              perRound: 1,
            },
          ),
        );
        let token: string | undefined;
        let id = 0;
        const onRoute = (event: RouteEvent) => {
          if (!event.sql.trimStart().toLowerCase().startsWith('select')) return;
          const key = `${event.node}/${event.reason}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        };
        arms.push(
          new TimedArm(
            `edge-db (${transport.name}): read with a fresh token`,
            async () => {
              const reader = edgeDb<GeoDb>({ ...config, onRoute, consistency: { token } });
              if ((await find(reader, id)) === undefined)
                stale.set(transport.name, (stale.get(transport.name) ?? 0) + 1);
            },
            {
              perRound: 1,
              // The write (untimed) makes the token the timed read must honour.
              prepare: async () => {
                id = nextId++;
                const writer = edgeDb<GeoDb>(config);
                await writer
                  .insertInto('item')
                  .values({ id, name: `position ${id}` })
                  .execute();
                token = (await consistencyToken(writer)) ?? undefined;
              },
            },
          ),
        );
      }
      context.log(`position-cost: ${plan.rounds} interleaved rounds`);
      await interleave(arms, plan);
      return arms.map((arm, index) => {
        const transport = transports[index >> 1]!.name;
        const isChecked = index % 2 === 1;
        const plain = arms[index - 1];
        const served = [...(reasons.get(transport) ?? [])].map(([k, n]) => `${k} ${n}`).join(', ');
        return latencyRow(
          {
            scenario: 'position-cost',
            system: arm.name,
            ...(isChecked ? { stale_reads: stale.get(transport) ?? 0 } : {}),
            ...(isChecked && plain !== undefined
              ? { comparisons: [ratioComparison('vs plain read', arm.rounds, plain.rounds)] }
              : {}),
            notes: isChecked
              ? `${plan.rounds} interleaved rounds; a write through edge-db (untimed) before each read; reads served by (node/reason, warm-up included): ${served || 'none'}`
              : `${plan.rounds} interleaved rounds; plain Kysely on the replica's dialect`,
          },
          summarize(arm.samples),
        );
      });
    } finally {
      await proxy.close();
    }
  },
};
