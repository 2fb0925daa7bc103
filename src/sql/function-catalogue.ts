/**
 * What calling a SQL function can do, as far as routing, caching and transports care.
 *
 * - `writes`: writes, takes a lock, assigns a transaction id, changes server or session state, runs SQL
 *   given as text, or answers only on the primary (`pg_current_wal_lsn`): a statement calling it runs on the
 *   primary (a standby would refuse it, or answer for the wrong connection).
 * - `volatile`: a different answer on each call: its rows are never cached.
 * - `session`: its effect or answer belongs to the connection (session advisory locks, `set_config`,
 *   `currval`): it must not run over a transport that gives every statement a fresh server session
 *   (Neon's SQL over HTTP).
 */
export interface FunctionEffects {
  readonly writes: boolean;
  readonly volatile: boolean;
  readonly session: boolean;
  /** SQLite's date functions: volatile when given `'now'` or no argument at all (which means now). */
  readonly volatileWithNow: boolean;
}

/**
 * The one catalogue of functions edge-db knows something about, PostgreSQL and SQLite alike. Names are
 * lower-case; a trailing `*` makes a prefix. Flags: `w` writes, `v` volatile, `s` session-bound, `n` volatile with `'now'`. An exact name
 * wins over a prefix.
 */
const CATALOGUE: readonly (readonly [name: string, flags: string])[] = [
  // sequences: nextval/setval write; currval/lastval read the session's memory of them
  ['nextval', 'wv'],
  ['setval', 'wv'],
  ['currval', 'wvs'],
  ['lastval', 'wvs'],
  // advisory locks: transaction-level ones end with the statement's transaction, session-level ones do not
  ['pg_advisory_*', 'w'],
  ['pg_try_advisory_*', 'w'],
  ['pg_advisory_lock', 'ws'],
  ['pg_advisory_lock_shared', 'ws'],
  ['pg_advisory_unlock', 'ws'],
  ['pg_advisory_unlock_shared', 'ws'],
  ['pg_advisory_unlock_all', 'ws'],
  ['pg_try_advisory_lock', 'ws'],
  ['pg_try_advisory_lock_shared', 'ws'],
  // settings and session state
  ['set_config', 'ws'],
  ['setseed', 'ws'],
  ['pg_notify', 'w'],
  // transaction ids: assigning one is impossible during recovery
  ['txid_current', 'wv'],
  ['pg_current_xact_id', 'wv'],
  ['txid_current_if_assigned', 'v'],
  ['pg_current_xact_id_if_assigned', 'v'],
  // server administration
  ['pg_switch_wal', 'w'],
  ['pg_create_restore_point', 'w'],
  ['pg_reload_conf', 'w'],
  ['pg_rotate_logfile', 'w'],
  ['pg_cancel_backend', 'w'],
  ['pg_terminate_backend', 'w'],
  ['pg_stat_reset*', 'w'],
  ['pg_create_*_replication_slot', 'w'],
  ['pg_drop_replication_slot', 'w'],
  ['pg_copy_*_replication_slot', 'w'],
  ['pg_replication_slot_advance', 'w'],
  ['pg_replication_origin_*', 'w'],
  ['pg_logical_emit_message', 'w'],
  ['pg_logical_slot_get_*', 'w'],
  ['pg_import_system_collations', 'w'],
  // recovery and backup control: they act on the node they run on (pausing or promoting a standby)
  ['pg_wal_replay_*', 'w'],
  ['pg_promote', 'w'],
  ['pg_backup_*', 'ws'],
  ['pg_start_backup', 'ws'],
  ['pg_stop_backup', 'ws'],
  ['pg_log_backend_memory_contexts', 'w'],
  ['binary_upgrade_*', 'w'],
  // a standby refuses them ("recovery is in progress", "cannot assign OIDs during recovery")
  ['pg_walfile_name*', 'w'],
  ['pg_nextoid', 'w'],
  // index maintenance
  ['brin_summarize_new_values', 'w'],
  ['brin_summarize_range', 'w'],
  ['brin_desummarize_range', 'w'],
  ['gin_clean_pending_list', 'w'],
  // large objects: reading one works on a standby, everything else writes
  ['lo_*', 'w'],
  ['lo_get', ''],
  // functions that run SQL given as text, or write elsewhere
  ['dblink_exec', 'w'],
  ['query_to_xml', 'w'],
  ['query_to_xmlschema', 'w'],
  ['query_to_xml_and_xmlschema', 'w'],
  ['cursor_to_xml', 'w'],
  ['cursor_to_xmlschema', 'w'],
  ['database_to_xml*', 'w'],
  ['schema_to_xml*', 'w'],
  ['table_to_xml*', 'w'],
  // clocks and randomness
  ['now', 'v'],
  ['age', 'v'], // age(ts) is measured from today (the two-argument form is stable; both are treated alike)
  ['random', 'v'],
  ['random_normal', 'v'],
  ['clock_timestamp', 'v'],
  ['statement_timestamp', 'v'],
  ['transaction_timestamp', 'v'],
  ['timeofday', 'v'],
  ['gen_random_uuid', 'v'],
  ['gen_random_bytes', 'v'],
  ['uuidv4', 'v'],
  ['uuidv7', 'v'],
  ['uuid_generate_*', 'v'],
  ['pg_sleep*', 'v'],
  ['pg_last_xact_replay_timestamp', 'v'],
  // the server's state, which changes without a table write and differs from node to node
  ['pg_stat_get_*', 'v'],
  ['pg_*_size', 'v'],
  ['pg_ls_*', 'v'],
  ['pg_read_*', 'v'],
  ['pg_stat_file', 'v'],
  ['pg_control_*', 'v'],
  ['pg_is_*', 'v'],
  ['pg_get_wal_*', 'v'],
  ['pg_get_backend_memory_contexts', 'v'],
  ['pg_get_shmem_allocations', 'v'],
  ['pg_get_multixact_members', 'v'],
  ['pg_lock_status', 'v'],
  ['pg_*blocking_pids', 'v'],
  ['pg_last_committed_xact', 'v'],
  ['pg_xact_*', 'v'],
  ['txid_status', 'v'],
  ['txid_current_snapshot', 'v'],
  ['pg_current_snapshot', 'v'],
  ['pg_notification_queue_usage', 'v'],
  ['pg_sequence_last_value', 'v'],
  ['pg_prepared_xact', 'v'],
  ['pg_show_*', 'v'],
  ['pg_hba_file_rules', 'v'],
  ['pg_ident_file_mappings', 'v'],
  ['pg_current_logfile', 'v'],
  ['pg_postmaster_start_time', 'v'],
  ['pg_conf_load_time', 'v'],
  ['pg_partition_*', 'v'],
  ['ts_stat', 'v'],
  ['current_query', 'v'],
  ['current_setting', 'v'],
  ['pg_backend_pid', 'v'],
  ['inet_server_*', 'v'],
  ['inet_client_*', 'v'],
  ['loread', 'vs'],
  ['lowrite', 'ws'],
  // WAL positions of the primary: a standby refuses them ("recovery is in progress")
  ['pg_current_wal_*', 'wv'],
  ['pg_last_wal_*', 'v'],
  // SQLite
  ['randomblob', 'v'],
  ['last_insert_rowid', 'wvs'],
  ['changes', 'wvs'],
  ['total_changes', 'wvs'],
  ['date', 'n'],
  ['time', 'n'],
  ['datetime', 'n'],
  ['julianday', 'n'],
  ['strftime', 'n'],
  ['unixepoch', 'n'],
  ['timediff', 'n'],
];

const NONE: FunctionEffects = Object.freeze({
  writes: false,
  volatile: false,
  session: false,
  volatileWithNow: false,
});

function effectsOf(flags: string): FunctionEffects {
  return Object.freeze({
    writes: flags.includes('w'),
    volatile: flags.includes('v'),
    session: flags.includes('s'),
    volatileWithNow: flags.includes('n'),
  });
}

const exact = new Map<string, FunctionEffects>();
const prefixes: { readonly pattern: RegExp; readonly effects: FunctionEffects }[] = [];
for (const [name, flags] of CATALOGUE) {
  if (name.includes('*')) {
    prefixes.push({ pattern: new RegExp(`^${name.replace(/\*/g, '.*')}$`), effects: effectsOf(flags) });
  } else {
    exact.set(name, effectsOf(flags));
  }
}

/**
 * What calling `name` can do. Any case, schema-qualified or quoted (`pg_catalog.pg_advisory_lock`,
 * `"nextval"`). Unknown functions have no effects: user-defined functions that write are invisible in the
 * text (route them with `route(db, { readPreference: 'primary' })`; a replica that refuses one as a write
 * teaches the router to send that statement to the primary).
 *
 * ### Examples
 * ```ts
 * functionEffects('pg_catalog.nextval').writes // true
 * functionEffects('lower').volatile // false
 * ```
 */
export function functionEffects(name: string): FunctionEffects {
  const unqualified = name
    .slice(name.lastIndexOf('.') + 1)
    .replace(/"/g, '')
    .trim();
  const lower = unqualified.toLowerCase();
  const found = exact.get(lower);
  if (found !== undefined) return found;
  for (const { pattern, effects } of prefixes) if (pattern.test(lower)) return effects;
  return NONE;
}

/** The catalogue as data (names and flags), for documentation and tests. */
export function functionCatalogue(): readonly (readonly [name: string, effects: FunctionEffects])[] {
  return CATALOGUE.map(([name, flags]) => [name, effectsOf(flags)] as const);
}
