/**
 * Options of `startPostgresCluster`.
 *
 * ### Examples
 * ```ts
 * const cluster = await startPostgresCluster({ replicas: 1, latencyMs: 20, synchronousCommit: false })
 * ```
 */
export interface PostgresClusterOptions {
  /**
   * Number of hot standbys streaming from the primary (0 to 8).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Folder of `initdb`, `pg_ctl`, `pg_basebackup` and `postgres`.
   * @default the newest `/usr/lib/postgresql/<version>/bin`, else the folder of `initdb` on `PATH`
   */
  readonly binDir?: string;
  /**
   * Folder in which the cluster creates its own `edge-db-pg-XXXXXX` folder (removed by `stop()`).
   * When this process is root, the `postgres` account must be able to enter it.
   * @default os.tmpdir()
   */
  readonly baseDir?: string;
  /**
   * Initial one-way delay of every node's relay, in milliseconds; change it per node with `setLatency`.
   * @default 0
   */
  readonly latencyMs?: number;
  /**
   * Deadline for the whole start (initdb, servers, base backups, streaming), in milliseconds.
   * @default 60000
   */
  readonly startTimeoutMs?: number;
  /**
   * PostgreSQL's `synchronous_commit`. `false` makes commits return before their WAL is flushed, which is
   * when `pg_current_wal_lsn()` can lag behind a commit; use it to test position handling under
   * asynchronous commit. (Replication stays asynchronous either way: no `synchronous_standby_names`.)
   * @default true
   */
  readonly synchronousCommit?: boolean;
}
