import { EdgeDbError } from '../../errors/edge-db-error.js';

/** Hrana error code a replica answers with when it did not reach the required `replication_index` in time. */
export const REPLICATION_INDEX_TIMEOUT_CODE = 'REPLICATION_INDEX_TIMEOUT';
/** Hrana error code of a write refused by a read-only node. */
export const READONLY_CODE = 'READONLY';

/**
 * Maps the two libSQL errors that mean "wrong node for this statement" to `EdgeDbError`s the router acts on
 * (`REPLICA_BEHIND`, `READ_ONLY_NODE`); the `LibsqlError` stays as `cause`. Every other error is returned
 * unchanged, so `instanceof LibsqlError` keeps working.
 *
 * ### Examples
 * ```ts
 * try { await client.execute(stmt) } catch (error) { throw mapLibsqlError(error, 'replica-0') }
 * ```
 */
export function mapLibsqlError(error: unknown, nodeName: string): unknown {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === REPLICATION_INDEX_TIMEOUT_CODE) {
    return new EdgeDbError(
      'REPLICA_BEHIND',
      `libSQL node ${nodeName} had not applied the required replication index before its deadline. ` +
        'Read from the primary, or retry once the replica caught up.',
      { cause: error },
    );
  }
  if (code === READONLY_CODE) {
    return new EdgeDbError(
      'READ_ONLY_NODE',
      `libSQL node ${nodeName} is read-only and refused a write. Send writes to the primary.`,
      { cause: error },
    );
  }
  return error;
}
