import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { type Dialect, Kysely } from 'kysely';
import type { Backend } from '../../src/drivers/backend.js';
import { libsql } from '../../src/drivers/libsql/index.js';
import { edgeDb } from '../../src/index.js';
import type { BenchResult } from '../lib/bench-result.js';
import { inProcessDialect } from '../lib/in-process-dialect.js';
import { measureBatched } from '../lib/measure.js';
import { round, summarize } from '../lib/percentiles.js';
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
 */
export const routerOverhead: Scenario = {
  name: 'router-overhead',
  description:
    'Per-query cost of `select id, name from item where id = ?` with no network: plain Kysely vs edge-db (primary + 1 replica, long-lived instance and one instance per query).',
  async run(context: ScenarioContext): Promise<BenchResult[]> {
    const plan = context.quick
      ? { warmup: 5, iterations: 20, batchSize: 200 }
      : { warmup: 20, iterations: 100, batchSize: 500 };
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
      const replica = libsql({ url, createClient, name: 'replica' });
      // The file engine costs ~1 ms a query here: smaller batches keep the run short with the same sample count.
      const filePlan = { ...plan, batchSize: context.quick ? 10 : 50 };
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
  plan: { warmup: number; iterations: number; batchSize: number },
  plain: { dialect: Dialect },
  primary: Backend,
  replica: () => Backend,
): Promise<BenchResult[]> {
  context.log(`router-overhead: ${variant}`);
  const kysely = new Kysely<BenchDb>({ dialect: plain.dialect });
  const cluster = `bench-router-overhead-${variant}`;
  const longLived = edgeDb<BenchDb>({ primary, replicas: [replica()], cluster });
  try {
    // Interleave the systems' batches so drift (JIT, GC, CPU frequency) hits all of them alike.
    const systems: { name: string; op: () => Promise<void> }[] = [
      { name: 'kysely', op: async () => void (await readOne(kysely)) },
      { name: 'edge-db', op: async () => void (await readOne(longLived)) },
      {
        name: 'edge-db (instance per query)',
        // No destroy(): the per-request pattern leaves pooled I/O to the backend; the stub/file has none to leak.
        op: async () => void (await readOne(edgeDb<BenchDb>({ primary, replicas: [replica()], cluster }))),
      },
    ];
    const samples = new Map<string, number[]>(systems.map((s) => [s.name, []]));
    const rounds = 5;
    for (let r = 0; r < rounds; r++) {
      for (const system of systems) {
        const batch = await measureBatched(
          {
            warmup: r === 0 ? plan.warmup : 0,
            iterations: Math.ceil(plan.iterations / rounds),
            batchSize: plan.batchSize,
          },
          system.op,
        );
        samples.get(system.name)!.push(...batch);
      }
    }
    const base = summarize(samples.get('kysely')!);
    return systems.map((system) => {
      const summary = summarize(samples.get(system.name)!);
      const ratio = round(summary.p50_ms / base.p50_ms, 2);
      return latencyRow(
        {
          scenario: 'router-overhead',
          system: system.name,
          variant,
          values: {
            ops_per_s: Math.round(1000 / summary.mean_ms),
            ratio_vs_kysely_p50: ratio,
            overhead_us_p50: round((summary.p50_ms - base.p50_ms) * 1000, 1),
          },
          notes: `samples are means of batches of ${plan.batchSize} sequential queries; ops counts queries`,
        },
        { ...summary, ops: summary.ops * plan.batchSize },
      );
    });
  } finally {
    await longLived.destroy();
    await kysely.destroy();
  }
}
