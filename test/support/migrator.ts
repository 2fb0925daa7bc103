import * as kysely from 'kysely';

/** One migration, as Kysely's Migrator takes it (the same shape on Kysely 0.28 and 0.29). */
export interface MigrationLike {
  up(db: kysely.Kysely<any>): Promise<void>;
  down?(db: kysely.Kysely<any>): Promise<void>;
}

/** The parts of Kysely's `Migrator` the tests use. */
export interface MigratorLike {
  migrateToLatest(): Promise<{
    error?: unknown;
    results?: readonly { migrationName: string; status: 'Success' | 'Error' | 'NotExecuted' }[];
  }>;
  migrateTo(name: string): Promise<{ error?: unknown; results?: readonly { status: string }[] }>;
  getMigrations(): Promise<readonly { name: string; executedAt?: Date }[]>;
}

export type MigratorConstructor = new (props: {
  db: kysely.Kysely<any>;
  provider: { getMigrations(): Promise<Record<string, MigrationLike>> };
  migrationTableName?: string;
  migrationLockTableName?: string;
}) => MigratorLike;

/**
 * Kysely's `Migrator` from wherever the installed release exports it: `kysely` (0.28) or `kysely/migration`
 * (0.29, which leaves only a type error at the old place). The suites run on both.
 */
export async function loadMigrator(): Promise<MigratorConstructor> {
  const fromRoot = (kysely as Record<string, unknown>).Migrator;
  if (typeof fromRoot === 'function') return fromRoot as MigratorConstructor;
  const subpath = 'kysely/migration';
  return ((await import(subpath)) as { Migrator: MigratorConstructor }).Migrator;
}
