/**
 * Functions that write, take locks, or depend on session state, so a statement calling them must run on the
 * primary even when it is a SELECT. Names are lower-case; entries ending in `*` are prefixes.
 */
export const SIDE_EFFECT_FUNCTIONS: readonly string[] = [
  // sequences
  'nextval',
  'setval',
  'currval',
  'lastval',
  // advisory locks (pg_advisory_lock, pg_try_advisory_xact_lock_shared, pg_advisory_unlock_all, ...)
  'pg_advisory_*',
  'pg_try_advisory_*',
  // session and server state
  'set_config',
  'setseed',
  'pg_notify',
  'txid_current',
  'pg_current_xact_id',
  'pg_switch_wal',
  'pg_create_restore_point',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_cancel_backend',
  'pg_terminate_backend',
  'pg_stat_reset*',
  'pg_create_*_replication_slot',
  'pg_drop_replication_slot',
  'pg_replication_origin_*',
  'pg_logical_emit_message',
  'pg_import_system_collations',
  // large objects
  'lo_*',
  // remote writes
  'dblink_exec',
  // SQLite connection state: meaningless on another node
  'last_insert_rowid',
  'changes',
  'total_changes',
];

const exact = new Set(SIDE_EFFECT_FUNCTIONS.filter((name) => !name.includes('*')));
const patterns = SIDE_EFFECT_FUNCTIONS.filter((name) => name.includes('*')).map(
  (name) => new RegExp(`^${name.replace(/\*/g, '.*')}$`),
);

/**
 * True when calling `name` (any case, schema-qualified or quoted: `pg_catalog.pg_advisory_lock`,
 * `"nextval"`) has effects or reads session state.
 */
export function isSideEffectFunction(name: string): boolean {
  const unqualified = name.slice(name.lastIndexOf('.') + 1).replace(/"/g, '');
  const lower = unqualified.toLowerCase();
  return exact.has(lower) || patterns.some((pattern) => pattern.test(lower));
}
