/**
 * How a replica catches up with its primary, for the router's choice between waiting for a replica that is
 * behind the session and reading from the primary.
 *
 * - `forwarding` (sqld replicas): frames stream continuously and a read that requires an index the replica
 *   lacks fetches it at once; the remaining lag is what the router measured.
 * - `pulling` (a proxy with an embedded replica that syncs on an interval, Turso's "database CDN"): a new
 *   write becomes visible only at the next pull, up to `pullIntervalMs` after it.
 *
 * ### Examples
 * ```ts
 * const catchUp: ReplicaCatchUp = { mode: 'pulling', pullIntervalMs: 1_000 }
 * ```
 */
export interface ReplicaCatchUp {
  readonly mode: 'forwarding' | 'pulling';
  /** Pause between two pulls, in milliseconds; 0 for `forwarding` replicas. */
  readonly pullIntervalMs: number;
}
