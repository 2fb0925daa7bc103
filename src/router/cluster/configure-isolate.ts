import { invalidOption } from '../config/check-option.js';
import { clusterRegistry } from './cluster-registry.js';
import { resetIsolateCache, setIsolateCacheBudget } from './isolate-cache.js';

/** Limits of what one isolate keeps between requests. */
export interface IsolateLimits {
  /** Clusters (databases) whose latency, health and positions are kept; least recently used go first. @default 1024 */
  readonly maxClusters?: number;
  /** Bytes of cached rows, every cluster together. @default 8 MiB */
  readonly cacheBytes?: number;
}

/**
 * Sets the isolate's limits, for every `edgeDb` instance in it. Call it at module scope, before the first
 * query; changing `cacheBytes` later empties the cache.
 *
 * ### Examples
 * ```ts
 * import { configureIsolate } from 'edge-db'
 *
 * configureIsolate({ maxClusters: 10_000, cacheBytes: 32 * 1024 * 1024 })
 * ```
 */
export function configureIsolate(limits: IsolateLimits): void {
  const { maxClusters, cacheBytes } = limits ?? {};
  if (maxClusters !== undefined) {
    if (!Number.isInteger(maxClusters) || maxClusters < 1)
      throw invalidOption('maxClusters', 'an integer >= 1', maxClusters);
    clusterRegistry.setMaxClusters(maxClusters);
  }
  if (cacheBytes !== undefined) {
    if (!Number.isInteger(cacheBytes) || cacheBytes < 1024)
      throw invalidOption('cacheBytes', 'an integer >= 1024', cacheBytes);
    setIsolateCacheBudget(cacheBytes);
  }
}

/**
 * Forgets what the isolate learnt (latency, health, positions) and its cached reads: for tests, or after a
 * restore or failover. With a key, only that cluster's learnt state.
 */
export function resetClusterState(key?: string): void {
  clusterRegistry.forget(key);
  if (key === undefined) resetIsolateCache();
}
