/** Tuning of {@link estimateRttMs}. */
export interface RttEstimateOptions {
  /**
   * How much longer real routes are than the great circle (cables follow coasts, traffic crosses exchanges).
   * @default 1.4
   */
  readonly routeFactor?: number;
  /**
   * Fixed cost of a round trip independent of distance (switching, TLS records, the database itself).
   * @default 2
   */
  readonly baseMs?: number;
}

// Light in fibre covers about 200 km per millisecond (refractive index ~1.5).
const FIBRE_KM_PER_MS = 200;

/**
 * Expected round-trip time in milliseconds over `distanceKm`, used to rank replicas before any latency has
 * been measured: `baseMs + 2 * distanceKm / 200 km/ms * routeFactor`. A ranking aid, not a promise; measured
 * round trips replace it as soon as they exist.
 *
 * ### Examples
 * ```ts
 * estimateRttMs(greatCircleKm(frankfurt, virginia)) // ~93 (6,500 km)
 * estimateRttMs(0) // 2
 * ```
 */
export function estimateRttMs(distanceKm: number, options: RttEstimateOptions = {}): number {
  const { routeFactor = 1.4, baseMs = 2 } = options;
  return baseMs + ((2 * Math.max(0, distanceKm)) / FIBRE_KM_PER_MS) * routeFactor;
}
