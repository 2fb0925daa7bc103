import { type Dialect, Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeDbConfig, edgeDbDialect, type RouteEvent, resetClusterState } from '../../../src/index.js';
import { type PostgresCluster, startPostgresClusterWith } from '../../../src/testing/index.js';
import { loadMigrator, type MigrationLike } from '../../support/migrator.js';
import { pgBackends } from './pg-backends.js';

/** Kysely's Migrator from `kysely` (0.28) or `kysely/migration` (0.29). */
const Migrator = await loadMigrator();

// Issue 16.1: tools that take a Kysely `Dialect` (kysely-ctl, Better Auth's `{ dialect, type }`) could only be
// given one node's dialect, without routing. `edgeDbDialect(config)` is a routing dialect for
// `new Kysely({ dialect })`: reads go to replicas, writes to the primary.

interface AuthDB {
  user: { id: string; email: string };
}

let cluster: PostgresCluster;
let backends: ReturnType<typeof pgBackends>;

beforeAll(async () => {
  cluster = await startPostgresClusterWith({ replicas: 1 });
  backends = pgBackends(cluster);
});

afterAll(async () => {
  await backends?.end();
  await cluster?.stop();
});

function config(events: RouteEvent[]): EdgeDbConfig {
  return {
    primary: backends.primary,
    replicas: backends.replicas,
    cluster: 'dialect-consumers',
    onRoute: (e) => events.push(e),
  };
}

const migrations: Record<string, MigrationLike> = {
  '001_user': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('user')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .execute();
    },
  },
};

/**
 * The shape of Better Auth's Kysely adapter: it is handed `{ dialect, type }`, builds its own Kysely and
 * runs its queries through it.
 */
function authAdapter(options: { dialect: Dialect; type: 'postgres' | 'sqlite' | 'mysql' }) {
  const db = new Kysely<AuthDB>({ dialect: options.dialect });
  return {
    db,
    async create(user: AuthDB['user']) {
      return db.insertInto('user').values(user).returningAll().executeTakeFirstOrThrow();
    },
    async findOne(email: string) {
      return db.selectFrom('user').selectAll().where('email', '=', email).executeTakeFirst();
    },
    async inRecovery() {
      return (await sql<{ r: boolean }>`select pg_is_in_recovery() as r`.execute(db)).rows[0]!.r;
    },
  };
}

describe('edgeDbDialect for tools that take a dialect (16.1, real PostgreSQL standby)', () => {
  it("Kysely's Migrator: DDL and its bookkeeping on the primary; the migrated table is read from the standby", async () => {
    resetClusterState();
    const events: RouteEvent[] = [];
    const db = new Kysely<AuthDB>({ dialect: edgeDbDialect(config(events)) });
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      const { error, results } = await migrator.migrateToLatest();
      expect(error).toBeUndefined();
      expect(results).toEqual([expect.objectContaining({ migrationName: '001_user', status: 'Success' })]);
      const ddl = events.filter((e) => /^create table/i.test(e.sql));
      expect(ddl.length).toBeGreaterThan(0);
      // the Migrator's own tables outside a transaction, the migration inside one: all on the primary
      for (const e of ddl) expect(e).toMatchObject({ node: 'primary', role: 'primary' });
      expect(ddl.map((e) => e.reason)).toEqual(expect.arrayContaining(['ddl', 'transaction']));
      expect(events.find((e) => e.sql.startsWith('insert into "kysely_migration"'))).toMatchObject({
        node: 'primary',
      });
    } finally {
      await db.destroy();
    }
    await cluster.replicas[0]!.waitForPosition(await cluster.primary.currentPosition());
    const reader = new Kysely<AuthDB>({ dialect: edgeDbDialect(config(events)) });
    try {
      expect(await reader.selectFrom('user').selectAll().execute()).toEqual([]);
      expect(events.at(-1)).toMatchObject({ node: 'replica-0', role: 'replica' });
    } finally {
      await reader.destroy();
    }
  });

  it('a Better-Auth-shaped adapter given { dialect, type }: reads on the standby, writes on the primary', async () => {
    const events: RouteEvent[] = [];
    const first = authAdapter({ dialect: edgeDbDialect(config(events)), type: 'postgres' });
    const second = authAdapter({ dialect: edgeDbDialect(config(events)), type: 'postgres' });
    try {
      // a fresh session reads from the standby
      expect(await first.inRecovery()).toBe(true);
      expect(events.at(-1)).toMatchObject({ role: 'replica' });

      const created = await first.create({ id: 'u1', email: 'ada@example.com' });
      expect(created).toEqual({ id: 'u1', email: 'ada@example.com' });
      expect(events.at(-1)).toMatchObject({ node: 'primary', reason: 'write' });
      // read-your-writes through the adapter's own Kysely
      expect(await first.findOne('ada@example.com')).toEqual(created);

      // another request (its own adapter and session) reads from the standby once it has the row
      await cluster.replicas[0]!.waitForPosition(await cluster.primary.currentPosition());
      expect(await second.findOne('ada@example.com')).toEqual(created);
      expect(events.at(-1)).toMatchObject({ node: 'replica-0', role: 'replica' });
      expect(await second.inRecovery()).toBe(true);
    } finally {
      await first.db.destroy();
      await second.db.destroy();
    }
  });
});
