/**
 * How fresh a read must be.
 *
 * - `session` (default): read-your-writes and monotonic reads within a session (an `edgeDb` instance, or a
 *   chain of requests that pass its consistency token along).
 * - `eventual`: any replica, however far behind (within `maxStalenessMs` when set).
 * - `strong`: the primary.
 */
export type ConsistencyMode = 'session' | 'eventual' | 'strong';

export const CONSISTENCY_MODES: readonly ConsistencyMode[] = ['session', 'eventual', 'strong'];
