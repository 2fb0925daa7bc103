import type { Kysely } from 'kysely';
import type { CorpusDatabase } from './corpus-database.js';
import { type CorpusStatement, rawStatement } from './corpus-statement.js';

/** One function of `pg_proc`, as {@link CATALOGUE_QUERY} returns it. */
export interface CatalogueFunction {
  readonly name: string;
  /** `regtype` names of the arguments, e.g. `['regclass', 'bigint']`. */
  readonly arg_types: readonly string[];
  /** How many functions of `pg_catalog` share the name. */
  readonly overloads: number;
}

/**
 * The volatile functions of `pg_catalog` (the ones whose volatility or effects matter: writes, WAL, locks,
 * sequences, settings, index maintenance), plus every function a classifier's list names whatever its
 * volatility. Functions with a set-returning or internal-only signature are left out.
 */
export const CATALOGUE_QUERY = `
select p.proname as name, p.proargtypes::regtype[]::text[] as arg_types,
  count(*) over (partition by p.proname)::int as overloads
from pg_proc p
where p.pronamespace = 'pg_catalog'::regnamespace and p.prokind = 'f'
  and p.provolatile = 'v'
  and p.prorettype::regtype::text not in ('trigger', 'event_trigger', 'internal', 'language_handler',
    'fdw_handler', 'index_am_handler', 'table_am_handler', 'tsm_handler', 'cstring')
order by p.proname, p.oid`;

/**
 * Functions the corpus never calls: they would change the test bed itself (promote the standby, pause its
 * replay, start a backup that outlives the statement) or write files on the server.
 */
const NEVER_CALLED = new Set([
  'pg_promote',
  'pg_wal_replay_pause',
  'pg_backup_start',
  'pg_backup_stop',
  'lo_export',
  'lo_import',
  'pg_replication_origin_session_setup',
]);

/** A literal per argument type (as `regtype` prints it); a function with any other type is not called. */
const SAMPLES: Readonly<Record<string, string>> = {
  smallint: '1',
  integer: '1',
  bigint: '1',
  numeric: '1',
  real: '0.001',
  'double precision': '0.001',
  boolean: 'false',
  text: 'edb',
  name: 'edb',
  'character varying': 'edb',
  '"char"': 'e',
  regclass: 'person',
  regnamespace: 'public',
  regproc: 'now',
  regprocedure: 'now()',
  regtype: 'integer',
  regrole: 'postgres',
  oid: '4242',
  bytea: String.raw`\x00`,
  json: '{}',
  jsonb: '{}',
  'timestamp with time zone': '2020-01-01',
  'timestamp without time zone': '2020-01-01',
  date: '2020-01-01',
  interval: '1 millisecond',
  pg_lsn: '0/0',
  xid8: '1',
  xid: '1',
  uuid: '00000000-0000-0000-0000-000000000000',
  inet: '127.0.0.1',
  tid: '(0,1)',
  'text[]': '{}',
  'integer[]': '{}',
};

/** Arguments that make a call meaningful where the sample of its type would only fail. */
function sampleFor(name: string, index: number, type: string): string | undefined {
  if (type === 'regclass' && name.startsWith('brin_')) return 'person_id_brin';
  if (type === 'regclass' && name.startsWith('gin_')) return 'person_tags_gin';
  if (type === 'regclass' && /val$/.test(name)) return 'person_seq';
  if (name === 'set_config' && index === 0) return 'edb.setting';
  if (name.includes('replication_slot') && index === 0) return 'edb_slot';
  if (name === 'pg_create_logical_replication_slot' && index === 1) return 'test_decoding';
  if (name.startsWith('pg_replication_origin') && index === 0 && type === 'text') return 'edb_origin';
  return SAMPLES[type];
}

function literal(value: string, type: string): string {
  return `'${value.replace(/'/g, "''")}'::${type}`;
}

/**
 * Statements calling every function of `functions` (from {@link CATALOGUE_QUERY}) with sample arguments:
 * raw SQL with typed literals, and for functions with one signature a builder query through `eb.fn(...)`
 * with the same values as parameters.
 */
export function catalogueStatements(db: Kysely<CorpusDatabase>, functions: readonly CatalogueFunction[]) {
  const statements: CorpusStatement[] = [];
  let uncallable = 0;
  const seen = new Set<string>();
  for (const fn of functions) {
    if (NEVER_CALLED.has(fn.name)) continue;
    const values = fn.arg_types.map((type, index) => sampleFor(fn.name, index, type));
    if (values.some((value) => value === undefined)) {
      uncallable++;
      continue;
    }
    const args = values.map((value, index) => literal(value!, fn.arg_types[index]!));
    const id = `catalogue/${fn.name}(${fn.arg_types.join(',')})`;
    if (seen.has(id)) continue;
    seen.add(id);
    statements.push(rawStatement(`${id}/raw`, 'catalogue', `select ${fn.name}(${args.join(', ')})`));
    if (fn.overloads === 1) {
      const query = db
        .selectNoFrom((eb) =>
          eb
            .fn(
              fn.name,
              values.map((value) => eb.val(value)),
            )
            .as('r'),
        )
        .compile();
      statements.push({ id: `${id}/builder`, family: 'catalogue', query });
    }
  }
  return { statements, uncallable };
}
