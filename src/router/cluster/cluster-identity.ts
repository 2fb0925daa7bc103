import { databaseOfIdentity } from '../../drivers/database-identity.js';
import type { EdgeDbConfig } from '../config/edge-db-config.js';

/** What a cluster's isolate state and tokens are keyed by. */
export interface ClusterIdentity {
  /**
   * The registry key (isolate state, cache scope): `undefined` when the nodes cannot be told apart from
   * another database's (plain dialects without `id` and no `cluster`), then each instance keeps its own state.
   */
  readonly key: string | undefined;
  /** What consistency tokens are bound to: the cluster's name, or its primary's database (without credentials). */
  readonly tokenKey: string;
}

/**
 * The identity of a configuration's cluster. Nodes' `id`s (set by edge-db's drivers: URL plus a hash of the
 * credentials) key it, so two databases, or two roles of one database, never share state or cache entries;
 * a `cluster` name groups instances on top of that. Without ids, only a `cluster` name identifies it.
 */
export function clusterIdentity(config: EdgeDbConfig, names: readonly string[]): ClusterIdentity {
  const backends = [config.primary, ...(config.replicas ?? [])];
  const ids = backends.every((backend) => backend.id !== undefined)
    ? backends.map((backend) => backend.id as string)
    : undefined;
  if (config.cluster !== undefined) {
    return {
      key: ids === undefined ? `cluster:${config.cluster}` : `cluster:${config.cluster}|${ids.join('|')}`,
      tokenKey: config.cluster,
    };
  }
  if (ids !== undefined) return { key: ids.join('|'), tokenKey: databaseOfIdentity(ids[0]!) };
  return { key: undefined, tokenKey: names.join('|') };
}
