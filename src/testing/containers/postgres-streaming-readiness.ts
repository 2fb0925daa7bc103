/** The query the primary answers to show which standbys stream (by `application_name`). */
export const POSTGRES_STREAMING_SQL = 'select application_name, state from pg_stat_replication';

/** One row of {@link POSTGRES_STREAMING_SQL}. */
export interface ReplicationRow {
  readonly application_name: string;
  readonly state: string;
}

/**
 * The standbys of `expected` that the primary's `pg_stat_replication` rows do not show as `streaming`
 * (still in `startup`/`catchup`, or absent). The cluster is ready when this is empty.
 *
 * ### Examples
 * ```ts
 * standbysNotStreaming([{ application_name: 'replica-1', state: 'catchup' }], ['replica-1']) // ['replica-1']
 * ```
 */
export function standbysNotStreaming(rows: readonly ReplicationRow[], expected: readonly string[]): string[] {
  const streaming = new Set(
    rows.filter((row) => row.state === 'streaming').map((row) => row.application_name),
  );
  return expected.filter((name) => !streaming.has(name));
}
