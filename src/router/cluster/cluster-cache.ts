import { QueryCache } from '../../cache/query-cache.js';
import type { EdgeDbConfig } from '../config/edge-db-config.js';
import type { ClusterState } from './cluster-state.js';

/**
 * The cluster's isolate cache, created on first use with the first instance's options (instances of one
 * cluster are built from the same configuration in practice).
 */
export function clusterCacheFor(
  cluster: ClusterState,
  options: EdgeDbConfig['cache'],
  now: () => number,
): QueryCache {
  let cache = cluster.extensions.get('cache') as QueryCache | undefined;
  if (cache === undefined) {
    cache = new QueryCache({
      ...(options?.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
      ...(options?.swrMs === undefined ? {} : { swrMs: options.swrMs }),
      ...(options?.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      now,
    });
    cluster.extensions.set('cache', cache);
  }
  return cache;
}
