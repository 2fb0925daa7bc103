import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import {
  type Backend,
  consistencyToken,
  type EdgeDbConfig,
  edgeDb,
  mergeTokens,
  type RouteEvent,
  resetClusterState,
} from '../../../src/index.js';

export interface KvDatabase {
  kv: { k: number; v: number };
}

/** What the harness needs from a cluster: backends and lag knobs on replicas. */
export interface LaggingCluster {
  readonly name: string;
  readonly primary: Backend;
  readonly replicas: readonly Backend[];
  /** Makes replica `i` fall behind (or catch up); called at random by the chaos loop. */
  readonly chaos: readonly ((random: () => number) => Promise<void>)[];
  /** Brings every replica back to normal. */
  calm(): Promise<void>;
}

export interface ConsistencyReport {
  operations: number;
  reads: number;
  writes: number;
  tokenHandoffs: number;
  staleReads: number;
  nonMonotonicReads: number;
  servedByReplica: number;
  servedByPrimary: number;
}

type Op =
  | { kind: 'write'; user: number; key: number }
  | { kind: 'read'; user: number; key: number }
  | { kind: 'write-then-read'; user: number; key: number }
  | { kind: 'handoff'; from: number; to: number };

const KEYS = 4;
const USERS = 3;

export async function seedKv(db: Kysely<KvDatabase>): Promise<void> {
  await db.schema.dropTable('kv').ifExists().execute();
  await db.schema
    .createTable('kv')
    .addColumn('k', 'integer', (c) => c.primaryKey())
    .addColumn('v', 'integer', (c) => c.notNull())
    .execute();
  await db
    .insertInto('kv')
    .values(Array.from({ length: KEYS }, (_, k) => ({ k, v: 0 })))
    .execute();
}

/**
 * Runs random sequences of requests by several users. Each request is a new `edgeDb` instance (as in an edge
 * function) that starts from the user's token; writes bump a per-key counter. A read is stale when it returns
 * less than the user last wrote or was handed, and non-monotonic when it returns less than the user saw before.
 */
export async function runConsistencyWorkload(
  cluster: LaggingCluster,
  options: { runs: number; opsPerRun: number; consistency: EdgeDbConfig['consistency']; seed: number },
): Promise<ConsistencyReport> {
  const report: ConsistencyReport = {
    operations: 0,
    reads: 0,
    writes: 0,
    tokenHandoffs: 0,
    staleReads: 0,
    nonMonotonicReads: 0,
    servedByReplica: 0,
    servedByPrimary: 0,
  };
  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('write' as const),
        user: fc.nat(USERS - 1),
        key: fc.nat(KEYS - 1),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('read' as const),
        user: fc.nat(USERS - 1),
        key: fc.nat(KEYS - 1),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('write-then-read' as const),
        user: fc.nat(USERS - 1),
        key: fc.nat(KEYS - 1),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('handoff' as const),
        from: fc.nat(USERS - 1),
        to: fc.nat(USERS - 1),
      }),
    },
  );
  const open = (token: string | undefined, events: RouteEvent[]) =>
    edgeDb<KvDatabase>({
      primary: cluster.primary,
      replicas: cluster.replicas,
      cluster: cluster.name,
      consistency:
        typeof options.consistency === 'string'
          ? { mode: options.consistency, token }
          : { ...options.consistency, token },
      onRoute: (e) => events.push(e),
    });

  await fc.assert(
    fc.asyncProperty(
      fc.array(op, { minLength: options.opsPerRun, maxLength: options.opsPerRun }),
      fc.integer(),
      async (ops, chaosSeed) => {
        const tokens: (string | undefined)[] = Array.from({ length: USERS }, () => undefined);
        // per user and key: the highest value written by the user (or handed to it), and the highest it has read
        const floor: number[][] = Array.from({ length: USERS }, () => Array.from({ length: KEYS }, () => 0));
        const seen: number[][] = Array.from({ length: USERS }, () => Array.from({ length: KEYS }, () => 0));
        let random = chaosSeed >>> 0;
        const next = () => {
          random = (Math.imul(random, 1664525) + 1013904223) >>> 0;
          return random / 2 ** 32;
        };
        for (const step of ops) {
          report.operations++;
          if (next() < 0.3) {
            const knob = cluster.chaos[Math.floor(next() * cluster.chaos.length)];
            await knob?.(next);
          }
          if (step.kind === 'handoff') {
            report.tokenHandoffs++;
            tokens[step.to] = await mergeTokens(tokens[step.to], tokens[step.from]);
            for (let k = 0; k < KEYS; k++) {
              floor[step.to]![k] = Math.max(floor[step.to]![k]!, floor[step.from]![k]!, seen[step.from]![k]!);
            }
            continue;
          }
          const events: RouteEvent[] = [];
          const db = open(tokens[step.user], events);
          if (step.kind === 'write' || step.kind === 'write-then-read') {
            report.writes++;
            const row = await db
              .updateTable('kv')
              .set((eb) => ({ v: eb('v', '+', 1) }))
              .where('k', '=', step.key)
              .returning('v')
              .executeTakeFirstOrThrow();
            floor[step.user]![step.key] = Math.max(floor[step.user]![step.key]!, Number(row.v));
          }
          if (step.kind === 'read' || step.kind === 'write-then-read') {
            report.reads++;
            const row = await db
              .selectFrom('kv')
              .select('v')
              .where('k', '=', step.key)
              .executeTakeFirstOrThrow();
            const value = Number(row.v);
            const served = events.at(-1);
            if (served?.role === 'replica') report.servedByReplica++;
            else report.servedByPrimary++;
            if (value < floor[step.user]![step.key]!) report.staleReads++;
            if (value < seen[step.user]![step.key]!) report.nonMonotonicReads++;
            seen[step.user]![step.key] = Math.max(seen[step.user]![step.key]!, value);
          }
          tokens[step.user] = (await consistencyToken(db)) ?? tokens[step.user];
          await db.destroy();
        }
        await cluster.calm();
        return true;
      },
    ),
    { numRuns: options.runs, seed: options.seed, endOnFailure: true },
  );
  return report;
}

/** A replica the chaos loop can pause, resume and slow down. */
export interface ChaosReplica {
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Sets one of the lag settings the backend offers (apply delay, pull interval), by index into `lagSettings`. */
  setLag(setting: number): Promise<void>;
}

/**
 * The chaos knobs of a cluster: per replica, toggle pause/resume, or pick one of `lagSettings` at random;
 * `calm` resumes every replica and sets `normalLag`.
 */
export function replicaChaos(
  replicas: readonly ChaosReplica[],
  lagSettings: readonly number[],
  normalLag: number,
): Pick<LaggingCluster, 'chaos' | 'calm'> {
  const paused = new Set<number>();
  return {
    chaos: replicas.flatMap((replica, i) => [
      async (random: () => number) => {
        if (paused.has(i)) {
          paused.delete(i);
          await replica.resume();
        } else if (random() < 0.5) {
          paused.add(i);
          await replica.pause();
        }
      },
      async (random: () => number) => replica.setLag(lagSettings[Math.floor(random() * lagSettings.length)]!),
    ]),
    async calm() {
      for (const i of paused) await replicas[i]!.resume();
      paused.clear();
      for (const replica of replicas) await replica.setLag(normalLag);
    },
  };
}

/**
 * The two property tests every backend runs: with `session` consistency, zero stale and zero non-monotonic
 * reads (and replicas serving some reads); with `eventual`, the same workload must show stale reads, so the
 * first test can fail. Call inside a `describe`; `lagging` is read when the tests run (after `beforeAll`).
 */
export function itKeepsReadYourWrites(
  label: string,
  lagging: () => LaggingCluster,
  options: { readonly runs: number; readonly eventualRuns: number; readonly seed: number },
): void {
  const opsPerRun = 60;
  it('has zero stale and zero non-monotonic reads across sessions and tokens while replicas lag at random', async () => {
    resetClusterState();
    const report = await runConsistencyWorkload(lagging(), {
      runs: options.runs,
      opsPerRun,
      consistency: 'session',
      seed: options.seed,
    });
    console.log(`${label} session consistency:`, report);
    expect(report.operations).toBeGreaterThanOrEqual(options.runs * opsPerRun);
    expect(report.staleReads).toBe(0);
    expect(report.nonMonotonicReads).toBe(0);
    // the point is fast reads too: replicas must serve a real share of them
    expect(report.servedByReplica).toBeGreaterThan(0);
  });

  it('shows stale reads with consistency turned off (so the property above can fail)', async () => {
    resetClusterState();
    const report = await runConsistencyWorkload(lagging(), {
      runs: options.eventualRuns,
      opsPerRun,
      consistency: 'eventual',
      seed: options.seed,
    });
    console.log(`${label} eventual consistency:`, report);
    expect(report.staleReads).toBeGreaterThan(0);
  });
}
