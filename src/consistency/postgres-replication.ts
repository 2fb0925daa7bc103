import { CompiledQuery, type DatabaseConnection } from 'kysely';
import { normalizeInsertLsn, parseLsn } from './postgres-lsn.js';
import {
  executeReturningTransactionId,
  readCheckedPosition,
  type TransactionId,
} from './postgres-transaction-id.js';
import type { NodeRole, ReplicationAdapter } from './replication-adapter.js';
import type { ReplicationPosition } from './replication-position.js';

// pg_current_wal_insert_lsn, not pg_current_wal_lsn: under synchronous_commit=off the latter was seen behind
// the commit record of a write that had already returned (see FIELD-NOTES).
const PRIMARY_POSITION = CompiledQuery.raw(
  'select case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_insert_lsn() end::text as lsn',
);
const REPLICA_POSITION = CompiledQuery.raw(
  'select coalesce(pg_last_wal_replay_lsn(), pg_current_wal_insert_lsn())::text as lsn',
);

/**
 * Reads PostgreSQL WAL positions with plain SQL over any Kysely Postgres dialect (node-postgres, postgres.js,
 * Neon's Pool, ...). It cannot share the read's round trip, so the router uses it only when a read must prove
 * that a replica has caught up. A write built with Kysely learns its transaction id in its own round trip
 * (`RETURNING pg_current_xact_id()`, PostgreSQL 13+), which a replica's probe then checks: no second round
 * trip to the primary after a write. Edge-db's Neon driver ships an adapter that piggy-backs instead.
 *
 * ### Examples
 * ```ts
 * edgeDb({ primary: { dialect, replication: postgresReplication }, replicas: [...] })
 * ```
 */
export const postgresReplication: ReplicationAdapter = Object.freeze({
  family: 'postgres' as const,
  checksTransactions: true,
  async readPosition(
    connection: DatabaseConnection,
    role: NodeRole,
    transactions?: readonly TransactionId[],
  ): Promise<ReplicationPosition | undefined> {
    if (role === 'replica' && transactions !== undefined && transactions.length > 0) {
      return readCheckedPosition(connection, transactions);
    }
    const result = await connection.executeQuery<{ lsn: string | null }>(
      role === 'primary' ? PRIMARY_POSITION : REPLICA_POSITION,
    );
    const text = result.rows[0]?.lsn;
    return typeof text === 'string' ? normalizeInsertLsn(parseLsn(text)) : undefined;
  },
  async executeWrite(connection, query, options) {
    return executeReturningTransactionId(connection, query, options.signal);
  },
} satisfies ReplicationAdapter);
