import type pg from 'pg';
import { importOptionalDependency } from '../import-optional-dependency.js';

/** node-postgres' module object (`import pg from 'pg'`). */
export type PgModule = typeof pg;

let loading: Promise<PgModule> | undefined;

/**
 * Loads node-postgres (an optional peer of `edge-db/testing`) on first use. The PostgreSQL test bed and
 * the local Neon proxy call it when they start; without `pg` installed they reject with an
 * `EdgeDbError` of code `TESTING_SETUP_FAILED` that says `npm install -D pg`.
 *
 * ### Examples
 * ```ts
 * const { Client } = await loadPg('startPostgresCluster()')
 * ```
 */
export function loadPg(usedBy: string): Promise<PgModule> {
  loading ??= importOptionalDependency(() => import('pg'), 'pg', usedBy).then(
    (module) => {
      // pg's ESM entry has named exports and a default; a CommonJS interop copy may only have the default.
      const namespace = module as PgModule & { default?: PgModule };
      return namespace.Pool !== undefined ? namespace : (namespace.default as PgModule);
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
