import type { ReplicationPosition } from '../../consistency/replication-position.js';
import type { Coordinates } from '../../drivers/region-spec.js';
import type { HealthStatus } from './health/health-status.js';
import type { LatencyTracker } from './health/latency-tracker.js';
import { estimateRttMs, type RttEstimateOptions } from './location/estimate-rtt-ms.js';
import { greatCircleKm } from './location/great-circle-km.js';

/** One replica as {@link rankReplicas} sees it. Extra fields (a backend, a name) are carried through. */
export interface ReplicaCandidate {
  readonly id: string;
  /** Where the replica runs; used for the distance estimate until round trips are measured. */
  readonly coordinates?: Coordinates | undefined;
  readonly latency: LatencyTracker;
  readonly health: HealthStatus;
  /** How far behind the primary the replica is believed to be, in milliseconds. */
  readonly estimatedLagMs?: number | undefined;
  /** The latest replication position the replica is known to have applied. */
  readonly knownPosition?: ReplicationPosition | undefined;
}

/** Inputs of {@link rankReplicas} besides the candidates. */
export interface RankReplicasOptions {
  /** Where the caller runs; without it unmeasured replicas cannot be told apart by distance. */
  readonly caller?: Coordinates | undefined;
  /** Leave out replicas whose `estimatedLagMs` exceeds this. Replicas of unknown lag stay in. */
  readonly maxStalenessMs?: number | undefined;
  /** The position a read must see (read-your-writes): replicas known to have applied it come first. */
  readonly minPosition?: ReplicationPosition | undefined;
  /** Replicas within this many milliseconds of the best one share the load by power of two choices. */
  readonly windowMs: number;
  /** Uniform random number in [0, 1). Injected so tests can seed it. */
  readonly random: () => number;
  /** Tuning of the distance-based round-trip estimate. */
  readonly rttEstimate?: RttEstimateOptions | undefined;
}

/**
 * Why a replica holds its place in the ranking:
 * `p2c` picked among near-equals by power of two choices; `caught-up` known to have `minPosition`;
 * `measured` ranked by measured round trips; `nearest` ranked by distance only; `probe` its health probe is
 * due; `fallback` ejected but every usable replica is ejected too; `unranked` neither measured nor located.
 */
export type ChoiceReason = 'p2c' | 'caught-up' | 'measured' | 'nearest' | 'probe' | 'fallback' | 'unranked';

/** One entry of the attempt order {@link rankReplicas} returns. */
export interface RankedChoice<C extends ReplicaCandidate = ReplicaCandidate> {
  readonly candidate: C;
  readonly reason: ChoiceReason;
  /** The round trip the ranking assumed (measured, blended or estimated), if any. */
  readonly expectedRttMs: number | undefined;
}

interface Scored<C> {
  readonly candidate: C;
  readonly expectedRttMs: number | undefined;
  readonly sortKey: number;
  readonly caughtUp: boolean;
  readonly measured: boolean;
}

/**
 * Orders replicas for read attempts, best first. Runs per query, so it only sorts a handful of entries.
 *
 * 1. Drops replicas whose `estimatedLagMs` exceeds `maxStalenessMs` (an empty result means: use the primary).
 * 2. Drops `ejected` and `probing` replicas, unless no other remains: then all of them, as `fallback`.
 * 3. With `minPosition`, replicas known to have applied it come first.
 * 4. Ranks by expected round trip: measured where measured, otherwise the distance estimate from `caller`.
 * 5. Among replicas within `windowMs` of the best, picks the first by power of two choices (fewer requests in
 *    flight, then fewer recent requests), so one replica is not overloaded by every isolate nearby.
 *
 * ### Examples
 * ```ts
 * const order = rankReplicas(
 *   replicas.map((r) => ({ id: r.name, coordinates: r.coordinates, latency: r.latency, health: health.status(r.name) })),
 *   { caller: location.coordinates, windowMs: 5, random: Math.random },
 * )
 * // [{ candidate: { id: 'replica-1', ... }, reason: 'p2c', expectedRttMs: 4.2 }, ...]
 * ```
 */
export function rankReplicas<C extends ReplicaCandidate>(
  candidates: readonly C[],
  options: RankReplicasOptions,
): RankedChoice<C>[] {
  const { caller, maxStalenessMs, minPosition } = options;
  const usable: Scored<C>[] = [];
  const ejected: Scored<C>[] = [];
  for (const candidate of candidates) {
    if (maxStalenessMs !== undefined && (candidate.estimatedLagMs ?? 0) > maxStalenessMs) continue;
    const priorMs =
      caller !== undefined && candidate.coordinates !== undefined
        ? estimateRttMs(greatCircleKm(caller, candidate.coordinates), options.rttEstimate)
        : undefined;
    const expectedRttMs = candidate.latency.estimateMs(priorMs);
    const caughtUp =
      minPosition !== undefined &&
      candidate.knownPosition !== undefined &&
      candidate.knownPosition >= minPosition;
    const scored: Scored<C> = {
      candidate,
      expectedRttMs,
      // Neither measured nor locatable: rank it first so one read measures it. Otherwise a replica listed after
      // a measured one would never be tried, however near it is.
      sortKey: expectedRttMs ?? 0,
      caughtUp,
      measured: candidate.latency.isMeasured(),
    };
    const unusable = candidate.health === 'ejected' || candidate.health === 'probing';
    (unusable ? ejected : usable).push(scored);
  }
  const fallback = usable.length === 0;
  const pool = fallback ? ejected : usable;
  pool.sort(byRank);
  const ranked = pool.map((scored) =>
    toChoice(scored, fallback ? 'fallback' : baseReason(scored, minPosition)),
  );
  if (!fallback) spreadFirstChoice(pool, ranked, options);
  return ranked;
}

function byRank<C>(a: Scored<C>, b: Scored<C>): number {
  if (a.caughtUp !== b.caughtUp) return a.caughtUp ? -1 : 1;
  if (a.sortKey === b.sortKey) return 0;
  return a.sortKey < b.sortKey ? -1 : 1;
}

function baseReason<C extends ReplicaCandidate>(
  scored: Scored<C>,
  minPosition: ReplicationPosition | undefined,
): ChoiceReason {
  if (scored.candidate.health === 'probe') return 'probe';
  if (minPosition !== undefined && scored.caughtUp) return 'caught-up';
  if (scored.measured) return 'measured';
  return scored.expectedRttMs === undefined ? 'unranked' : 'nearest';
}

function toChoice<C extends ReplicaCandidate>(scored: Scored<C>, reason: ChoiceReason): RankedChoice<C> {
  return { candidate: scored.candidate, reason, expectedRttMs: scored.expectedRttMs };
}

// Power of two choices over the leading window: two random near-equals, the less loaded one goes first.
function spreadFirstChoice<C extends ReplicaCandidate>(
  pool: readonly Scored<C>[],
  ranked: RankedChoice<C>[],
  options: RankReplicasOptions,
): void {
  const best = pool[0];
  if (best === undefined) return;
  let size = 1;
  while (size < pool.length) {
    const next = pool[size]!;
    if (next.caughtUp !== best.caughtUp || !(next.sortKey <= best.sortKey + options.windowMs)) break;
    size++;
  }
  if (size < 2) return;
  const first = Math.min(size - 1, Math.floor(options.random() * size));
  let second = Math.min(size - 2, Math.floor(options.random() * (size - 1)));
  if (second >= first) second++;
  const pick = lessLoaded(pool[first]!, pool[second]!) === pool[first] ? first : second;
  const [chosen] = ranked.splice(pick, 1);
  const reason = chosen!.reason === 'probe' ? 'probe' : 'p2c';
  ranked.unshift({ ...chosen!, reason });
}

function lessLoaded<C extends ReplicaCandidate>(a: Scored<C>, b: Scored<C>): Scored<C> {
  const flightA = a.candidate.latency.inFlight;
  const flightB = b.candidate.latency.inFlight;
  if (flightA !== flightB) return flightA < flightB ? a : b;
  const loadA = a.candidate.latency.recentLoad();
  const loadB = b.candidate.latency.recentLoad();
  if (loadA !== loadB) return loadA < loadB ? a : b;
  return a.sortKey <= b.sortKey ? a : b;
}
