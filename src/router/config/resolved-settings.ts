import type { IsolateCacheConfig } from '../../cache/isolate-cache-config.js';
import type { ConsistencyMode } from '../../consistency/consistency-mode.js';
import type { ReadPreference } from '../plan/read-preference.js';
import type { OutlierDetectorOptions } from '../select/health/outlier-detector.js';

/** The cache settings of one instance, validated. */
export interface ResolvedCacheSettings {
  readonly ttlMs: number;
  readonly swrMs: number;
  /** This cluster's share of the isolate's cache budget, if capped. */
  readonly maxBytes: number | undefined;
  readonly allReads: boolean;
  /** Creates the isolate's store (from `isolateCache()` of `edge-db/cache`) when no instance has yet. */
  readonly createStore: IsolateCacheConfig['createStore'];
}

/** Settings of one instance after defaults were applied and validated. */
export interface ResolvedRouterSettings {
  readonly readPreference: ReadPreference;
  readonly consistency: ConsistencyMode;
  readonly readOnlyTransactionsOnReplicas: boolean;
  readonly stickyAfterWriteMs: number;
  readonly maxReplicaAttempts: number;
  readonly timeoutMs: number;
  readonly attemptTimeoutMs: number;
  readonly maxStalenessMs: number | undefined;
  readonly hedge: false | { readonly afterMs: number | undefined };
  readonly latencyWindowMs: number;
  readonly waitBudgetMs: number;
  /** Longest a token may have been issued ago and still be honoured, in seconds. */
  readonly tokenMaxAgeSeconds: number;
  /** `undefined` when the instance has no cache configured (a hint asking for the cache is then refused). */
  readonly cache: ResolvedCacheSettings | undefined;
  readonly cacheAllReads: boolean;
  readonly health: Omit<OutlierDetectorOptions, 'now'> | undefined;
}
