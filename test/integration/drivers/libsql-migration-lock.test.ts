import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libsql } from '../../../src/drivers/libsql/index.js';
import { edgeDb, resetClusterState } from '../../../src/index.js';
import { type LibsqlCluster, startLibsqlCluster } from '../../../src/testing/libsql/libsql-cluster.js';
import { loadMigrator, type MigrationLike } from '../../support/migrator.js';

/** Kysely's Migrator from `kysely` (0.28) or `kysely/migration` (0.29). */
const Migrator = await loadMigrator();

// Kysely's SqliteAdapter takes no migration lock: parallel migrators over a libSQL server each applied the
// pending migrations. Each migration here appends to `applied`, so a second application shows as a row.

let cluster: LibsqlCluster;

beforeAll(async () => {
  cluster = await startLibsqlCluster({ replicas: 1, replicationWaitMs: 2_000 });
});

afterAll(async () => {
  resetClusterState();
  await cluster?.stop();
});

/** Two migrations whose `up` is not idempotent: it logs itself, then changes the schema. */
function migrations(prefix: string): Record<string, MigrationLike> {
  const logged = (name: string, ddl: string): MigrationLike => ({
    async up(db) {
      await sql`insert into ${sql.table(`${prefix}_applied`)} (name) values (${name})`.execute(db);
      await sql.raw(ddl).execute(db);
    },
  });
  return {
    '001': logged('001', `create table ${prefix}_a (id integer primary key)`),
    '002': logged('002', `alter table ${prefix}_a add column note text`),
  };
}

async function migrateInParallel(prefix: string, open: () => Kysely<any>, count: number) {
  const setup = open();
  await sql`create table ${sql.table(`${prefix}_applied`)} (name text not null)`.execute(setup);
  const instances = Array.from({ length: count }, open);
  const outcomes = await Promise.all(
    instances.map((db) =>
      new Migrator({
        db,
        provider: { getMigrations: async () => migrations(prefix) },
        migrationTableName: `${prefix}_migration`,
        migrationLockTableName: `${prefix}_migration_lock`,
      }).migrateToLatest(),
    ),
  );
  const { rows } = await sql<{ name: string; n: number }>`
    select name, count(*) as n from ${sql.table(`${prefix}_applied`)} group by name order by name`.execute(
    setup,
  );
  await Promise.all([setup, ...instances].map((db) => db.destroy()));
  return { outcomes, rows };
}

describe('libSQL migrations take a real lock (14.13)', () => {
  it('parallel migrateToLatest() over LibsqlDialect applies each migration once', async () => {
    const { outcomes, rows } = await migrateInParallel(
      'plain',
      () => new Kysely<any>({ dialect: libsql({ url: cluster.primary.url }).dialect }),
      8,
    );
    expect(outcomes.map((outcome) => outcome.error)).toEqual(Array(8).fill(undefined));
    expect(rows).toEqual([
      { name: '001', n: 1 },
      { name: '002', n: 1 },
    ]);
  });

  it('parallel migrateToLatest() through edgeDb (primary and replica) applies each migration once', async () => {
    const { outcomes, rows } = await migrateInParallel(
      'routed',
      () =>
        edgeDb<any>({
          primary: libsql({ url: cluster.primary.url, name: 'primary' }),
          replicas: [libsql({ url: cluster.replicas[0]!.url, name: 'replica-0' })],
        }),
      8,
    );
    expect(outcomes.map((outcome) => outcome.error)).toEqual(Array(8).fill(undefined));
    expect(rows).toEqual([
      { name: '001', n: 1 },
      { name: '002', n: 1 },
    ]);
  });
});
