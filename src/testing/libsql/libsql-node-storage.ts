import { EdgeDbError } from '../../errors/edge-db-error.js';
import { PrimaryWalLog } from './primary-wal-log.js';
import { ReplicaPuller } from './replica-puller.js';
import type { ReplicationState } from './replication-state.js';
import { type EngineDatabase, loadEngine, openEngineConnection } from './sqlite-engine.js';
import { SYNC_PAGE_SIZE } from './wal-commit-tracker.js';

/** The database side of a primary: a connection kept open for the server's life and its WAL log. */
export interface PrimaryStorage {
  readonly keeper: EngineDatabase;
  readonly log: PrimaryWalLog;
}

/** The database side of a replica: the puller that owns its embedded-replica connection and syncs it. */
export interface ReplicaStorage {
  readonly puller: ReplicaPuller;
}

/**
 * Opens a primary's database: WAL mode with 4096-byte pages (libSQL's sync protocol assumes them). One
 * connection stays open for the server's life: the last connection to close checkpoints and deletes the
 * WAL, and replicas address frames by WAL position.
 */
export function openPrimaryStorage(dbPath: string, keepGenerations: number): PrimaryStorage {
  let keeper: EngineDatabase | undefined;
  try {
    keeper = openEngineConnection(dbPath);
    keeper.exec(`PRAGMA page_size = ${SYNC_PAGE_SIZE}`);
    keeper.exec('PRAGMA journal_mode = WAL');
    const pageSize = keeper.prepare('PRAGMA page_size').raw(true).all()[0] as [bigint];
    if (Number(pageSize[0]) !== SYNC_PAGE_SIZE) {
      throw new EdgeDbError(
        'TESTING_SETUP_FAILED',
        `${dbPath} has page size ${pageSize[0]}; libSQL replicas need ${SYNC_PAGE_SIZE}. Start from a new file.`,
      );
    }
    return { keeper, log: new PrimaryWalLog(dbPath, keeper, keepGenerations) };
  } catch (error) {
    keeper?.close();
    throw setupError('primary', dbPath, error);
  }
}

/** Opens an embedded replica of the primary at `dbPath` (bootstrapping the file when it is new) and syncs once. */
function openEmbeddedReplica(dbPath: string, syncUrl: string, authToken: string | undefined): EngineDatabase {
  const Database = loadEngine();
  const db = new Database(dbPath, {
    syncUrl,
    offline: true,
    ...(authToken === undefined ? {} : { authToken }),
  });
  try {
    db.sync();
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Opens a replica's embedded replica (bootstrapping the file from the primary) and pulls once. */
export async function openReplicaStorage(options: {
  readonly dbPath: string;
  readonly syncUrl: string;
  readonly authToken: string | undefined;
  readonly intervalMs: number;
  readonly replication: ReplicationState;
  /** Called before a replica that fell too far behind drops its file to bootstrap again. */
  readonly onRebootstrap: () => void;
}): Promise<ReplicaStorage> {
  let syncDb: EngineDatabase;
  try {
    syncDb = openEmbeddedReplica(options.dbPath, options.syncUrl, options.authToken);
  } catch (error) {
    throw setupError('replica', options.dbPath, error);
  }
  const puller = new ReplicaPuller(syncDb, {
    ...options,
    reopen: () => openEmbeddedReplica(options.dbPath, options.syncUrl, options.authToken),
  });
  await puller.start();
  return { puller };
}
function setupError(role: string, dbPath: string, error: unknown): EdgeDbError {
  if (error instanceof EdgeDbError) return error;
  return new EdgeDbError(
    'TESTING_SETUP_FAILED',
    `could not open the libSQL ${role} at ${dbPath}: ${String(error)}`,
    {
      cause: error,
    },
  );
}
