import type { Generated, Kysely } from 'kysely';
import { compileOnlyDb } from '../compile-only-db.js';

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

/** A Kysely instance over the corpus tables that only compiles: the corpus runs the SQL on the servers itself. */
export function compilingKysely(dialect: 'postgres' | 'sqlite'): Kysely<CorpusDatabase> {
  return compileOnlyDb<CorpusDatabase>(dialect);
}
