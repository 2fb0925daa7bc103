/**
 * How usable a node is right now, as {@link OutlierDetector} sees it:
 *
 * - `healthy`: serve traffic.
 * - `ejected`: failed repeatedly; keep traffic away until its ejection period ends.
 * - `probe`: the ejection period is over; the next request to it is a probe that decides its return.
 * - `probing`: a probe is in flight; keep other traffic away until it answers.
 *
 * ### Examples
 * ```ts
 * const usable = (status: HealthStatus) => status === 'healthy' || status === 'probe'
 * ```
 */
export type HealthStatus = 'healthy' | 'ejected' | 'probe' | 'probing';
