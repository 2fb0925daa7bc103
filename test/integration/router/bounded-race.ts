import { type Dialect, Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import { consistencyToken, type RouteEvent } from '../../../src/index.js';
import type { PostgresCluster } from '../../../src/testing/index.js';

export interface BoundedRaceOptions {
  /** The cluster whose first replica lags by a 5 ms apply delay during the race. */
  readonly cluster: PostgresCluster;
  /** A table `(id int primary key, note text)`: each round writes the row `1_000 + round`. */
  readonly table: string;
  /** Rounds when `EDGE_DB_XID_ROUNDS` does not say. */
  readonly rounds: number;
  /** The primary's dialect, for the background writer (outside the router). */
  readonly background: Dialect;
  /** A session of the router under test, carrying `token` and recording its routes into `events`. */
  readonly open: (token?: string, events?: RouteEvent[]) => Kysely<any>;
  /** When the writing session is closed: before the reader's session opens, or together with it after the read. */
  readonly closeWriter: 'before-read' | 'after-read';
}

export interface BoundedRaceResult {
  readonly rounds: number;
  /** Rounds whose read a replica served (all rounds found their row, or the race failed). */
  readonly fromReplica: number;
}

/**
 * Rounds of write, token, then a read in a new session carrying the token, while the replica lags and a
 * background writer keeps the primary busy. Every read must find its round's row (an expectation per round).
 */
export async function runBoundedRace(options: BoundedRaceOptions): Promise<BoundedRaceResult> {
  const { cluster, table, open } = options;
  const replica = cluster.replicas[0]!;
  const rounds = Number(process.env.EDGE_DB_XID_ROUNDS ?? options.rounds);
  const background = new Kysely<any>({ dialect: options.background });
  let writing = true;
  const noise = (async () => {
    for (let i = 0; writing; i++) {
      await sql`insert into ${sql.table(table)} values (${100_000 + i}, 'noise') on conflict do nothing`.execute(
        background,
      );
    }
  })();
  let fromReplica = 0;
  try {
    await replica.setApplyDelay(5);
    for (let i = 0; i < rounds; i++) {
      const writer = open();
      await writer
        .insertInto(table)
        .values({ id: 1_000 + i, note: `n${i}` })
        .execute();
      const token = await consistencyToken(writer);
      if (options.closeWriter === 'before-read') await writer.destroy();
      // Every other round lets the replica apply the write first, so both answers of the check are exercised.
      // The others read around the moment the replica applies it (0-7 ms after a 5 ms apply delay), where a
      // check that does not come before the read would pass with the row missing.
      if (i % 2 === 0) await replica.waitForPosition(await cluster.primary.currentPosition());
      else await new Promise((resolve) => setTimeout(resolve, i % 8));
      const events: RouteEvent[] = [];
      const reader = open(token, events);
      const row = await reader
        .selectFrom(table)
        .select('note')
        .where('id', '=', 1_000 + i)
        .executeTakeFirst();
      expect(row, `round ${i}: read through ${events.at(-1)?.node}`).toEqual({ note: `n${i}` });
      if (events.at(-1)?.role === 'replica') fromReplica++;
      if (options.closeWriter === 'before-read') await reader.destroy();
      else await Promise.all([writer.destroy(), reader.destroy()]);
    }
  } finally {
    writing = false;
    await noise;
    await background.destroy();
    await replica.setApplyDelay(0);
  }
  return { rounds, fromReplica };
}
