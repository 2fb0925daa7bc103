import { clusterHash, encodeToken } from '../../src/consistency/consistency-token.js';

/**
 * An unsigned PostgreSQL-family token for the cluster named `cluster` at `position`, issued now: what another
 * isolate's session would hand over (or a forged one, for a position the cluster never reached).
 */
export function postgresTokenAt(cluster: string, position: bigint): Promise<string> {
  return encodeToken({
    cluster: clusterHash(cluster),
    family: 'postgres',
    position,
    issuedAt: Date.now() / 1000,
  });
}
