import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neon } from '../../../src/drivers/neon/index.js';
import { edgeDb, isEdgeDbError, resetClusterState } from '../../../src/index.js';
import { startPostgresClusterWith as startPostgresCluster } from '../../../src/testing/containers/index.js';
import { type NeonProxy, neonLocalSettings, startNeonProxy } from '../../../src/testing/neon/index.js';
import type { PostgresCluster } from '../../../src/testing/postgres/postgres-cluster.js';

// A configuration mistake against real PostgreSQL behind the Neon proxy: a database that does not exist.
// It must surface as DATABASE_NOT_FOUND naming the node, never as PRIMARY_UNAVAILABLE ("retry shortly").

let cluster: PostgresCluster;
let proxy: NeonProxy;

beforeAll(async () => {
  cluster = await startPostgresCluster({ replicas: 1 });
  proxy = await startNeonProxy();
});

afterAll(async () => {
  resetClusterState();
  await proxy?.close();
  await cluster?.stop();
});

function missingDatabase(url: string): string {
  return url.replace(/\/[^/?]+(\?|$)/, '/no_such_database$1');
}

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'resolved';
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown; message?: unknown; name?: unknown } }).cause;
    const detail =
      cause === undefined
        ? ''
        : ` [cause ${String(cause.name)} ${String(cause.code)} ${String(cause.message)}]`;
    return isEdgeDbError(error) ? `${error.code}: ${error.message}${detail}` : String(error);
  }
}

describe('Neon: a missing database is a configuration mistake (14.12)', () => {
  it('fails writes, reads and transactions with DATABASE_NOT_FOUND, naming the node', async () => {
    const db = edgeDb<{ t: { id: number } }>({
      primary: neon({ ...neonLocalSettings(proxy, missingDatabase(cluster.primary.url)), name: 'main' }),
      replicas: [
        neon({ ...neonLocalSettings(proxy, missingDatabase(cluster.replicas[0]!.url)), name: 'r0' }),
      ],
    });
    // A read first: after the failed write the session reads from the primary (its state was proved).
    expect(await codeOf(() => db.selectFrom('t').selectAll().execute())).toMatch(/^DATABASE_NOT_FOUND: .*r0/);
    expect(await codeOf(() => db.insertInto('t').values({ id: 1 }).execute())).toMatch(
      /^DATABASE_NOT_FOUND: .*main/,
    );
    expect(await codeOf(() => db.transaction().execute((trx) => sql`select 1`.execute(trx)))).toMatch(
      /^DATABASE_NOT_FOUND: .*main/,
    );
    await db.destroy();
  });
});
