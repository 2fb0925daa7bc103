import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import type { TransactionId } from './postgres-transaction-id.js';
import type { ReplicationPosition } from './replication-position.js';

/** Which database family a backend speaks; decides how positions are read and compared. */
export type ReplicationFamily = 'postgres' | 'libsql' | 'd1';

/** The role a node plays in a cluster. */
export type NodeRole = 'primary' | 'replica';

/** A query result together with the replication position observed in the same round trip. */
export interface PositionedResult<R> {
  readonly result: QueryResult<R>;
  /**
   * The node's position when the statement finished: the rows reflect nothing beyond it, and the node has
   * applied it. On a primary after an autocommit write, at or after the write's commit. Sessions raise their
   * floor to it, so later reads are never older (monotonic reads). `undefined` when unknown.
   */
  readonly position: ReplicationPosition | undefined;
  /**
   * A position the rows are known to reflect (everything up to it is visible in them), when the adapter can
   * tell, e.g. the replica's position checked before the read. The cache serves an entry to a session only
   * when this floor is at or past the session's requirement.
   */
  readonly floor?: ReplicationPosition | undefined;
  /**
   * True when `position` is known to be at or after the commits of every transaction the call was asked to
   * check (`options.transactions`): the session may then forget their ids and keep the position alone.
   */
  readonly settlesTransactions?: boolean;
}

/** What {@link ReplicationAdapter.executeWrite} learnt from one autocommit write. */
export interface WriteResult<R> {
  readonly result: QueryResult<R>;
  /** The primary's position after the commit, when the same round trip tells it. */
  readonly position?: ReplicationPosition | undefined;
  /**
   * The write's transaction id (PostgreSQL `xid8`), when the commit position is not known: replicas that
   * {@link ReplicationAdapter.checksTransactions} can prove they have it, so the session needs no second
   * round trip to the primary.
   */
  readonly transaction?: TransactionId | undefined;
}

/**
 * How the router learns and requires replication positions on one backend. Drivers implement it
 * (`edge-db/neon`, `edge-db/libsql`); a generic PostgreSQL adapter covers any Kysely Postgres dialect.
 *
 * Every method receives a connection the router acquired from the backend's own driver, so the adapter
 * never opens I/O of its own.
 */
export interface ReplicationAdapter {
  readonly family: ReplicationFamily;

  /**
   * `false` when this node can never report a position (libSQL over `file:` has no replication index): the
   * router then never probes it for one, nor routes a session's reads to the primary to learn one, and
   * relies on `stickyAfterWriteMs` alone. @default true
   */
  readonly reportsPositions?: boolean;

  /**
   * True when the backend itself guarantees that a statement reflects the `floor` the adapter reports, on
   * any role (a D1 session is sequentially consistent): the router then keeps that floor for the cache even
   * when the node is the primary. Leave it out unless the database promises it.
   */
  readonly floorGuaranteed?: boolean;

  /**
   * True when a replica can prove that given transactions (the ids {@link executeWrite} learnt) are
   * committed on it: in {@link executeWithPosition}'s round trip, or with `readPosition`'s `transactions`.
   */
  readonly checksTransactions?: boolean;

  /**
   * Reads the node's current position with one round trip.
   * Primary: the latest committed position. Replica: the applied (replayed) position. With `transactions`
   * (adapters that {@link checksTransactions}), a replica first proves they are committed on it, or the call
   * rejects with `REPLICA_BEHIND`; the position is read after that proof.
   */
  readPosition(
    connection: DatabaseConnection,
    role: NodeRole,
    transactions?: readonly TransactionId[],
  ): Promise<ReplicationPosition | undefined>;

  /**
   * Runs an autocommit write on the primary and learns, in the same round trip, its commit position or its
   * transaction id. Adapters without it get `executeWithPosition`, or a plain `executeQuery`.
   */
  executeWrite?<R>(
    connection: DatabaseConnection,
    query: CompiledQuery,
    options: { readonly signal?: AbortSignal | undefined },
  ): Promise<WriteResult<R>>;

  /**
   * Runs `query` and learns the positions of {@link PositionedResult} in the same round trip where the
   * protocol allows. When `minPosition` is given on a replica, the node either serves the read at or past it
   * or the call rejects with an `EdgeDbError` of code `REPLICA_BEHIND` (the rows of a stale read are
   * discarded, never returned). Adapters that cannot piggy-back leave this out; the router then uses
   * `readPosition` only where correctness needs it and keeps the session on the node it read from.
   */
  executeWithPosition?<R>(
    connection: DatabaseConnection,
    query: CompiledQuery,
    options: {
      readonly role: NodeRole;
      readonly minPosition?: ReplicationPosition | undefined;
      /** Transactions a replica must prove committed before the read (adapters that {@link checksTransactions}). */
      readonly transactions?: readonly TransactionId[] | undefined;
      /** Aborts the statement's I/O where the transport can (a lost hedge, a missed attempt deadline). */
      readonly signal?: AbortSignal | undefined;
    },
  ): Promise<PositionedResult<R>>;
}
