import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { CorpusDatabase } from './corpus-database.js';
import type { KnownLimitation } from './corpus-statement.js';

type Db = Kysely<CorpusDatabase>;
type AnySelect = SelectQueryBuilder<CorpusDatabase, any, any>;

/**
 * Function calls through `eb.fn(...)` with their arguments: reads, volatile reads, sequence functions,
 * advisory locks, settings, WAL and index maintenance, large objects, and the user functions of the fixture.
 */
export const BUILDER_FUNCTION_CALLS: ReadonlyArray<{
  name: string;
  args: readonly unknown[];
  limitation?: KnownLimitation;
}> = [
  { name: 'lower', args: ['Ab'] },
  { name: 'length', args: ['abc'] },
  { name: 'now', args: [] },
  { name: 'random', args: [] },
  { name: 'md5', args: ['x'] },
  { name: 'pg_sleep', args: [0] },
  { name: 'pg_is_in_recovery', args: [] },
  { name: 'nextval', args: ['person_seq'] },
  { name: 'setval', args: ['person_seq', 10] },
  { name: 'pg_advisory_lock', args: [1] },
  { name: 'pg_try_advisory_xact_lock', args: [2] },
  { name: 'pg_advisory_unlock_all', args: [] },
  { name: 'set_config', args: ['edb.setting', '1', false] },
  { name: 'txid_current', args: [] },
  { name: 'pg_current_xact_id', args: [] },
  { name: 'pg_notify', args: ['channel', 'payload'] },
  { name: 'lo_create', args: [0] },
  { name: 'lo_unlink', args: [4242] },
  { name: 'pg_current_wal_lsn', args: [] },
  { name: 'pg_current_wal_insert_lsn', args: [] },
  { name: 'pg_switch_wal', args: [] },
  { name: 'brin_summarize_new_values', args: ['person_id_brin'] },
  { name: 'brin_summarize_range', args: ['person_id_brin', 0] },
  { name: 'brin_desummarize_range', args: ['person_id_brin', 0] },
  { name: 'gin_clean_pending_list', args: ['person_tags_gin'] },
  { name: 'read_label', args: [1] },
  { name: 'write_audit', args: ['builder'], limitation: 'user-function-writes' },
  { name: 'plpgsql_writer', args: [], limitation: 'user-function-writes' },
];

/** SQLite's calls through `eb.fn(...)`: reads, volatile reads, and the connection-state functions. */
export const SQLITE_BUILDER_FUNCTION_CALLS: ReadonlyArray<{ name: string; args: readonly unknown[] }> = [
  { name: 'lower', args: ['Ab'] },
  { name: 'random', args: [] },
  { name: 'randomblob', args: [4] },
  { name: 'datetime', args: ['now'] },
  { name: 'sqlite_version', args: [] },
  { name: 'changes', args: [] },
  { name: 'total_changes', args: [] },
  { name: 'last_insert_rowid', args: [] },
];

/** How a function call appears in a builder query. */
export const CALL_FORMS: Record<string, (db: Db, name: string, args: readonly unknown[]) => AnySelect> = {
  'select-no-from': (db, name, args) =>
    db.selectNoFrom((eb) =>
      eb
        .fn(
          name,
          args.map((arg) => eb.val(arg)),
        )
        .as('r'),
    ),
  'select-list': (db, name, args) =>
    db
      .selectFrom('person')
      .select((eb) => [
        'id',
        eb
          .fn(
            name,
            args.map((arg) => eb.val(arg)),
          )
          .as('r'),
      ])
      .where('id', '=', 1),
  where: (db, name, args) =>
    db
      .selectFrom('person')
      .select('id')
      .where((eb) =>
        eb(
          eb.fn(
            name,
            args.map((arg) => eb.val(arg)),
          ),
          'is not',
          null,
        ),
      )
      .where('id', '=', 1),
  'in-cte': (db, name, args) =>
    db
      .with('c', (q) =>
        q.selectNoFrom((eb) =>
          eb
            .fn(
              name,
              args.map((arg) => eb.val(arg)),
            )
            .as('r'),
        ),
      )
      .selectFrom('c')
      .selectAll(),
  'in-subquery': (db, name, args) =>
    db
      .selectFrom('person')
      .select((_eb) => [
        'id',
        db
          .selectNoFrom((inner) =>
            inner
              .fn(
                name,
                args.map((arg) => inner.val(arg)),
              )
              .as('r'),
          )
          .as('r'),
      ])
      .where('id', '=', 1),
  'schema-qualified': (db, name, args) =>
    db.selectNoFrom((eb) =>
      eb
        .fn(
          `${isUserFunction(name) ? 'public' : 'pg_catalog'}.${name}`,
          args.map((arg) => eb.val(arg)),
        )
        .as('r'),
    ),
  'upper-case': (db, name, args) =>
    db.selectNoFrom((eb) =>
      eb
        .fn(
          name.toUpperCase(),
          args.map((arg) => eb.val(arg)),
        )
        .as('r'),
    ),
  'sql-template': (db, name, args) =>
    db.selectNoFrom(sql`${sql.raw(name)}(${sql.join(args.map((arg) => sql`${arg}`))})`.as('r')),
};

function isUserFunction(name: string): boolean {
  return (
    BUILDER_FUNCTION_CALLS.some((call) => call.name === name && call.limitation !== undefined) ||
    name === 'read_label'
  );
}
