import { type NeonBackend, neon } from '../../../src/drivers/neon/index.js';
import { type NeonProxy, neonLocalSettings, type PostgresCluster } from '../../../src/testing/index.js';

/** Neon-driver backends for a cluster's nodes through a local Neon proxy, named `primary` and `replica-<i>`. */
export function neonBackends(
  proxy: NeonProxy,
  cluster: PostgresCluster,
): { primary: NeonBackend; replicas: NeonBackend[] } {
  return {
    primary: neon({ ...neonLocalSettings(proxy, cluster.primary.url), name: 'primary' }),
    replicas: cluster.replicas.map((replica, i) =>
      neon({ ...neonLocalSettings(proxy, replica.url), name: `replica-${i}` }),
    ),
  };
}
