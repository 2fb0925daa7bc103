/**
 * Machine-readable reason of an {@link EdgeDbError}. Stable across releases: match on it, not on messages.
 */
export type EdgeDbErrorCode =
  /** The configuration passed to `edgeDb`, a driver or a test cluster is invalid. */
  | 'CONFIG_INVALID'
  /** A hint or read preference tried to send a write, lock or session statement to a replica. */
  | 'WRITE_ON_REPLICA'
  /** A read preference that requires a replica (`replica`) found no usable replica. */
  | 'NO_REPLICA_AVAILABLE'
  /** The primary could not be reached; writes fail fast with this code. */
  | 'PRIMARY_UNAVAILABLE'
  /** A node did not answer within its deadline. */
  | 'TIMEOUT'
  /** A replica had not applied the position a read required, within the wait budget. */
  | 'REPLICA_BEHIND'
  /** A replica refused a statement because it is read-only. */
  | 'READ_ONLY_NODE'
  /** A consistency token could not be parsed (bad encoding, truncated, unknown version). */
  | 'TOKEN_MALFORMED'
  /** A consistency token's signature is missing or does not verify. */
  | 'TOKEN_SIGNATURE_INVALID'
  /** A consistency token belongs to another cluster (or to the same database before a restore/failover). */
  | 'TOKEN_CLUSTER_MISMATCH'
  /** A consistency token was issued longer ago (or further ahead) than `consistency.tokenMaxAgeSeconds`. */
  | 'TOKEN_EXPIRED'
  /** The backend cannot do what was asked (for example streaming over a transport without cursors). */
  | 'UNSUPPORTED'
  /** The instance or backend was destroyed and cannot run queries any more. */
  | 'DESTROYED'
  /** `init`/`destroy` failed on one or more backends; `cause` is an `AggregateError`. */
  | 'LIFECYCLE_FAILED'
  /** A local test cluster could not start (missing binaries, ports, permissions). */
  | 'TESTING_SETUP_FAILED'
  /**
   * A node refused the credentials (wrong password or auth token, unknown role). A configuration mistake, not
   * an outage: never retried on another node, never ejects a node. `cause` is the driver's error.
   */
  | 'AUTH_FAILED'
  /** The server answered but has no such database (SQLSTATE 3D000, an unknown libSQL namespace). Not retried. */
  | 'DATABASE_NOT_FOUND'
  /** The node's host name does not resolve (DNS: no such host). A configuration mistake; not retried. */
  | 'HOST_NOT_FOUND';

/**
 * The one error class of edge-db. Every error the library raises itself is an `EdgeDbError` with a
 * {@link EdgeDbErrorCode}; errors of the database driver (for example `NeonDbError`, `LibsqlError` or
 * node-postgres' `DatabaseError`) pass through unchanged so `instanceof` checks on them keep working.
 *
 * ### Examples
 * ```ts
 * try {
 *   await db.insertInto('person').values(row).execute()
 * } catch (error) {
 *   if (error instanceof EdgeDbError && error.code === 'PRIMARY_UNAVAILABLE') {
 *     return new Response('Try again shortly', { status: 503 })
 *   }
 *   throw error
 * }
 * ```
 */
export class EdgeDbError extends Error {
  /** Machine-readable reason. */
  readonly code: EdgeDbErrorCode;

  constructor(code: EdgeDbErrorCode, message: string, options?: { cause?: unknown }) {
    super(message.startsWith('edge-db:') ? message : `edge-db: ${message}`, options);
    this.name = 'EdgeDbError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * `instanceof` also recognises errors of another copy of edge-db in the same process (the ESM and CJS
   * builds loaded side by side, or two bundles), so driver errors keep their meaning for the router.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

const BRAND = Symbol.for('edge-db.EdgeDbError');

/** True when `error` is an {@link EdgeDbError}, optionally with the given code. */
export function isEdgeDbError(error: unknown, code?: EdgeDbErrorCode): error is EdgeDbError {
  return error instanceof EdgeDbError && (code === undefined || error.code === code);
}
