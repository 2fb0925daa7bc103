import {
  DummyDriver,
  type Generated,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';

/** The tables of the corpus fixtures (PostgreSQL and SQLite), as Kysely sees them. */
export interface CorpusDatabase {
  person: {
    id: number;
    first_name: string;
    last_name: string | null;
    age: number | null;
  };
  pet: { id: number; owner_id: number; name: string; species: string };
  toy: { id: number; pet_id: number | null; name: string | null };
  audit_log: { id: Generated<number>; message: string };
  adult: { id: number; first_name: string; age: number | null };
  audited_person: { id: number; audit_id: number };
}

/** A Kysely instance that only compiles: the corpus runs the compiled SQL on the servers itself. */
export function compilingKysely(dialect: 'postgres' | 'sqlite'): Kysely<CorpusDatabase> {
  return new Kysely<CorpusDatabase>({
    dialect: {
      createAdapter: () => (dialect === 'postgres' ? new PostgresAdapter() : new SqliteAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) =>
        dialect === 'postgres' ? new PostgresIntrospector(db) : new SqliteIntrospector(db),
      createQueryCompiler: () =>
        dialect === 'postgres' ? new PostgresQueryCompiler() : new SqliteQueryCompiler(),
    },
  });
}
