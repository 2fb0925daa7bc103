import { type Kysely, type MigrationLockOptions, SqliteAdapter } from 'kysely';
import { EdgeDbError } from '../../errors/edge-db-error.js';

/** How long `migrateToLatest()` waits for another migrator's lock before giving up. */
const DEFAULT_LOCK_TIMEOUT_MS = 60_000;
/** Pause between two tries to take a lock another migrator holds. */
const LOCK_POLL_MS = 25;

/**
 * Kysely's SQLite adapter with a migration lock that works across connections. Kysely's `SqliteAdapter`
 * takes no lock (it assumes one connection to one file), but a libSQL server is shared by every client and
 * `LibsqlDialect` opens a connection per statement, so parallel `migrateToLatest()` calls (two deploys, two
 * Workers starting) each applied the pending migrations. This lock is the row `lockRowId` of Kysely's lock
 * table: taken by an `UPDATE ... SET is_locked = 1 WHERE is_locked = 0` that changed one row, a statement
 * SQLite runs atomically on any transport (Hrana over HTTP included), released by setting it back to 0.
 *
 * A migrator that died while holding the lock leaves it set: the next one fails after `lockTimeoutMs` with
 * `EdgeDbError` code `TIMEOUT`, whose message says how to clear it.
 *
 * ### Examples
 * ```ts
 * const db = new Kysely<Database>({ dialect: new LibsqlDialect({ url }) })
 * await new Migrator({ db, provider }).migrateToLatest() // safe to run from several processes at once
 * ```
 */
export class LibsqlAdapter extends SqliteAdapter {
  readonly #lockTimeoutMs: number;

  /** @param options.lockTimeoutMs how long to wait for a lock another migrator holds @default 60000 */
  constructor(options: { readonly lockTimeoutMs?: number } = {}) {
    super();
    this.#lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  }

  override async acquireMigrationLock(db: Kysely<any>, options: MigrationLockOptions): Promise<void> {
    const table = options.lockTableSchema === undefined ? db : db.withSchema(options.lockTableSchema);
    const giveUpAt = Date.now() + this.#lockTimeoutMs;
    for (;;) {
      const { numUpdatedRows } = await table
        .updateTable(options.lockTable)
        .set({ is_locked: 1 })
        .where('id', '=', options.lockRowId)
        .where('is_locked', '=', 0)
        .executeTakeFirst();
      if (BigInt(numUpdatedRows) > 0n) return;
      if (Date.now() >= giveUpAt) {
        throw new EdgeDbError(
          'TIMEOUT',
          `another migrator held the migration lock (row "${options.lockRowId}" of ${options.lockTable}) for ` +
            `${this.#lockTimeoutMs} ms. If no migration is running, a migrator died holding it: clear it with ` +
            `update ${options.lockTable} set is_locked = 0 where id = '${options.lockRowId}'.`,
        );
      }
      await sleep(LOCK_POLL_MS);
    }
  }

  override async releaseMigrationLock(db: Kysely<any>, options: MigrationLockOptions): Promise<void> {
    const table = options.lockTableSchema === undefined ? db : db.withSchema(options.lockTableSchema);
    await table
      .updateTable(options.lockTable)
      .set({ is_locked: 0 })
      .where('id', '=', options.lockRowId)
      .execute();
  }
}

async function sleep(ms: number): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, ms));
}
