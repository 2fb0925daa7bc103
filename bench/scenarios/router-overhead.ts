import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { type Dialect, Kysely } from 'kysely';
import { libsql } from '../../src/drivers/libsql/index.js';
import type { Backend } from '../../src/index.js';
import type { BenchResult } from '../lib/bench-result.js';
import { builtEdgeDb } from '../lib/built-edge-db.js';
import { addedUsComparison, ratioComparison } from '../lib/comparison.js';
import { inProcessDialect } from '../lib/in-process-dialect.js';
import { interleave, TimedArm } from '../lib/interleave.js';
import { summarize } from '../lib/percentiles.js';
import { latencyRow, type Scenario, type ScenarioContext } from '../lib/scenario.js';

interface ItemTable {
  id: number;
  name: string;
}
interface BenchDb {
  item: ItemTable;
}

type Query = (db: Kysely<BenchDb>) => Promise<unknown>;

const readOne: Query = (db) => db.selectFrom('item').select(['id', 'name']).where('id', '=', 1).execute();

/**
 * edge-db against plain Kysely on the same in-process backend, so the difference is the router's CPU cost:
 * classification, replica ranking, session bookkeeping, route events. Two backends: a constant-answer dialect
 * (pure overhead) and a libSQL `file:` database through edge-db's own libSQL dialect (a real engine, no network).
 * edge-db runs as the package builds it (see `builtEdgeDb`); the backends are the same objects for both sides.
 */
export const routerOverhead: Scenario = {
  name: 'router-overhead',
  description:
    'Per-query cost of `select id, name from item where id = ?` with no network: plain Kysely vs edge-db (primary + 1 replica, long-lived instance and one instance per query).',
  async run(context: ScenarioContext): Promise<BenchResult[]> {
    // One batch per arm per round; the per-round batch means are paired across arms for the ratios.
    const plan = context.quick
      ? { warmupRounds: 3, rounds: 15, batchSize: 200 }
      : { warmupRounds: 5, rounds: 80, batchSize: 500 };
    const results: BenchResult[] = [];

    const stub = inProcessDialect([{ id: 1, name: 'one' }]);
    results.push(
      ...(await compare(context, 'in-process stub', plan, { dialect: stub }, { dialect: stub }, () => ({
        dialect: stub,
      }))),
    );

    const dir = await mkdtemp(join(tmpdir(), 'edge-db-bench-'));
    try {
      const url = `file:${join(dir, 'bench.db')}`;
      const setup = createClient({ url });
      try {
        await setup.batch(
          [
            'create table item (id integer primary key, name text not null)',
            "insert into item values (1, 'one'), (2, 'two')",
          ],
          'write',
        );
      } finally {
        setup.close();
      }
      const plainDialect = libsql({ url, createClient }).dialect;
      const primary = libsql({ url, createClient, name: 'primary' });
      // The same file stands in for a replica: its own identity, as edge-db refuses one database twice.
      const replica = { ...libsql({ url, createClient, name: 'replica' }), id: `${url}#bench-replica` };
      // The file engine costs ~1 ms a query here: smaller batches keep the run short with the same sample count.
      const filePlan = context.quick
        ? { ...plan, rounds: 10, batchSize: 10 }
        : { ...plan, rounds: 60, batchSize: 40 };
      results.push(
        ...(await compare(
          context,
          'libSQL file',
          filePlan,
          { dialect: plainDialect },
          primary,
          () => replica,
        )),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return results;
  },
};

async function compare(
  context: ScenarioContext,
  variant: string,
  plan: { warmupRounds: number; rounds: number; batchSize: number },
  plain: { dialect: Dialect },
  primary: Backend,
  replica: () => Backend,
): Promise<BenchResult[]> {
  context.log(`router-overhead: ${variant}`);
  const { edgeDb } = (await builtEdgeDb()).core;
  const kysely = new Kysely<BenchDb>({ dialect: plain.dialect });
  const cluster = `bench-router-overhead-${variant}`;
  const longLived = edgeDb<BenchDb>({ primary, replicas: [replica()], cluster });
  try {
    const options = { perRound: 1, batchSize: plan.batchSize };
    const arms = [
      new TimedArm('kysely', async () => void (await readOne(kysely)), options),
      new TimedArm('edge-db', async () => void (await readOne(longLived)), options),
      new TimedArm(
        'edge-db (instance per query)',
        // No destroy(): the per-request pattern leaves pooled I/O to the backend; the stub/file has none to leak.
        async () => void (await readOne(edgeDb<BenchDb>({ primary, replicas: [replica()], cluster }))),
        options,
      ),
      // What an app without edge-db does per request: a new Kysely (Workers forbid sharing its I/O objects).
      new TimedArm(
        'kysely (instance per query)',
        async () => void (await readOne(new Kysely<BenchDb>({ dialect: plain.dialect }))),
        options,
      ),
    ];
    await interleave(arms, plan);
    const [base, , perQuery, kyselyPerQuery] = arms;
    return arms.map((arm) => {
      const summary = summarize(arm.samples);
      return latencyRow(
        {
          scenario: 'router-overhead',
          system: arm.name,
          variant,
          values: { ops_per_s: Math.round(1000 / summary.mean_ms) },
          ...(arm === base
            ? {}
            : {
                comparisons: [
                  ratioComparison('vs kysely', arm.rounds, base!.rounds),
                  addedUsComparison('added vs kysely', arm.rounds, base!.rounds),
                  ...(arm === perQuery
                    ? [
                        addedUsComparison(
                          'added vs kysely instance per query',
                          arm.rounds,
                          kyselyPerQuery!.rounds,
                        ),
                      ]
                    : []),
                ],
              }),
          notes: `${plan.rounds} interleaved rounds, one batch of ${plan.batchSize} sequential queries per system per round; samples are batch means; ops counts queries; edge-db as built for the package (esbuild, ES2022, no keepNames), Kysely from node_modules`,
        },
        { ...summary, ops: summary.ops * plan.batchSize },
      );
    });
  } finally {
    await longLived.destroy();
    await kysely.destroy();
  }
}
