import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeDb, type RouteEvent, resetClusterState } from '../../../src/index.js';
import { type PostgresCluster, startPostgresClusterWith } from '../../../src/testing/index.js';
import { loadMigrator, type MigrationLike } from '../../support/migrator.js';
import { itKeepsReadYourWrites, type LaggingCluster } from './consistency-harness.js';
import { pgBackends } from './pg-backends.js';
import { postgresLaggingCluster } from './postgres-lagging-cluster.js';

let cluster: PostgresCluster;
let backends: ReturnType<typeof pgBackends>;
let lagging: LaggingCluster;

beforeAll(async () => {
  cluster = await startPostgresClusterWith({ replicas: 2 });
  backends = pgBackends(cluster, { max: 3 });
  lagging = await postgresLaggingCluster(cluster, {
    name: 'pg-consistency',
    primary: backends.primary,
    replicas: backends.replicas,
  });
});

afterAll(async () => {
  await lagging?.calm().catch(() => undefined);
  await backends?.end();
  await cluster?.stop();
});

describe('read-your-writes on real PostgreSQL streaming replicas', () => {
  itKeepsReadYourWrites('postgres', () => lagging, { runs: 30, eventualRuns: 5, seed: 4242 });

  it("runs Kysely's own kind of workload (DDL, introspection, Migrator) over lagging replicas without stale reads", async () => {
    resetClusterState();
    for (const replica of cluster.replicas) await replica.setApplyDelay(150);
    const events: RouteEvent[] = [];
    const db = edgeDb<any>({
      primary: backends.primary,
      replicas: backends.replicas,
      onRoute: (e) => events.push(e),
    });
    try {
      await db.schema
        .createTable('author')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name', 'text')
        .execute();
      await db.insertInto('author').values({ name: 'Ada' }).execute();
      expect(await db.selectFrom('author').select('name').execute()).toEqual([{ name: 'Ada' }]);
      await db.schema.alterTable('author').addColumn('born', 'integer').execute();
      await db.updateTable('author').set({ born: 1815 }).execute();
      expect(await db.selectFrom('author').select(['name', 'born']).execute()).toEqual([
        { name: 'Ada', born: 1815 },
      ]);
      const tables = await db.introspection.getTables();
      expect(tables.find((t) => t.name === 'author')?.columns.map((c) => c.name)).toEqual([
        'id',
        'name',
        'born',
      ]);

      const migrations: Record<string, MigrationLike> = {
        '001_book': {
          up: async (m: Kysely<any>) => {
            await m.schema
              .createTable('book')
              .addColumn('id', 'serial', (c) => c.primaryKey())
              .addColumn('title', 'text')
              .execute();
          },
        },
        '002_book_author': {
          up: async (m: Kysely<any>) => {
            await m.schema.alterTable('book').addColumn('author_id', 'integer').execute();
            await m.insertInto('book').values({ title: 'Notes', author_id: 1 }).execute();
          },
        },
      };
      const Migrator = await loadMigrator();
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      const { error, results } = await migrator.migrateToLatest();
      expect(error).toBeUndefined();
      expect(results?.map((r) => r.status)).toEqual(['Success', 'Success']);
      expect(await db.selectFrom('book').select(['title', 'author_id']).execute()).toEqual([
        { title: 'Notes', author_id: 1 },
      ]);
      expect((await migrator.getMigrations()).every((m) => m.executedAt !== undefined)).toBe(true);
      // the replicas are 150 ms behind, yet nothing above read stale: reads were served by the primary or by a
      // replica that had verified the session's position
      expect(
        events.some((e) => e.role === 'replica' && e.error === undefined) ||
          events.every((e) => e.role === 'primary'),
      ).toBe(true);
    } finally {
      for (const replica of cluster.replicas) await replica.setApplyDelay(0);
      await sql`drop table if exists book, author, kysely_migration, kysely_migration_lock`.execute(
        edgeDb<any>({ primary: backends.primary }),
      );
      await db.destroy();
    }
  });
});
