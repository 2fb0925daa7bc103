/**
 * A point in a cluster's replication stream, comparable across the primary and its replicas.
 *
 * - PostgreSQL: a WAL LSN as an unsigned 64-bit number (`hi/lo` text is `(hi << 32) | lo`).
 * - libSQL: the `replication_index` (WAL frame number) that sqld reports.
 *
 * Positions of different clusters are never compared: tokens carry the cluster identity.
 */
export type ReplicationPosition = bigint;

/** The later of two positions; `undefined` means "no requirement". */
export function maxPosition(
  a: ReplicationPosition | undefined,
  b: ReplicationPosition | undefined,
): ReplicationPosition | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a >= b ? a : b;
}
