import { readPostgresPosition } from './checked-replica-read.js';
import { executeReturningTransactionId } from './postgres-transaction-id.js';
import type { ReplicationAdapter } from './replication-adapter.js';

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
  readPosition: readPostgresPosition,
  async executeWrite(connection, query, options) {
    return executeReturningTransactionId(connection, query, options.signal);
  },
} satisfies ReplicationAdapter);
