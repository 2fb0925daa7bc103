/**
 * Where reads may go, after MongoDB's read preference modes. Writes, locks, DDL and transactions always run on
 * the primary whatever the preference.
 *
 * - `primary`: every read on the primary.
 * - `primaryPreferred`: the primary; a replica when the primary fails.
 * - `replica`: replicas only; `NO_REPLICA_AVAILABLE` when none can serve.
 * - `replicaPreferred` (default): the best replica; the primary when no replica can serve.
 * - `nearest`: the node (primary included) expected to answer first.
 */
export type ReadPreference = 'primary' | 'primaryPreferred' | 'replica' | 'replicaPreferred' | 'nearest';

export const READ_PREFERENCES: readonly ReadPreference[] = [
  'primary',
  'primaryPreferred',
  'replica',
  'replicaPreferred',
  'nearest',
];

/** Type guard for configuration validation. */
export function isReadPreference(value: unknown): value is ReadPreference {
  return typeof value === 'string' && (READ_PREFERENCES as readonly string[]).includes(value);
}
