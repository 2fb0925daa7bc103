import type { GuestbookEnv } from '../../../examples/shared/guestbook.js';
import {
  type LibsqlCluster,
  type NeonProxy,
  type PostgresCluster,
  postgresHttpRoutes,
  startLibsqlCluster,
  startNeonProxy,
  startPostgresCluster,
} from '../../../src/testing/index.js';

/** One database family the runtime tests drive, with the env the examples read and lag controls. */
export interface GuestbookTarget {
  /** `libsql` or `neon`. */
  readonly driver: 'libsql' | 'neon';
  readonly env: GuestbookEnv;
  /** Stop applying the primary's changes on every replica (reads there miss later writes). */
  pauseReplicas(): Promise<void>;
  resumeReplicas(): Promise<void>;
  /** Waits until every replica has applied what the primary has now (a request without a token may go there). */
  catchUp(): Promise<void>;
}

/** Local clusters for the runtime tests: libSQL (primary + 2 replicas) and PostgreSQL behind the Neon proxy. */
export interface LocalClusters {
  readonly targets: readonly GuestbookTarget[];
  stop(): Promise<void>;
}

/**
 * Starts both local clusters in parallel (about 3 s here). Replica-0 is made the nearest node by latency
 * (1 ms each way vs 5 ms for the others) so routing decisions are deterministic enough to print.
 */
export async function startLocalClusters(
  options: { postgres?: boolean; libsql?: boolean } = {},
): Promise<LocalClusters> {
  const wantLibsql = options.libsql ?? true;
  const wantPostgres = options.postgres ?? true;
  let libsqlCluster: LibsqlCluster | undefined;
  let postgresCluster: PostgresCluster | undefined;
  let proxy: NeonProxy | undefined;
  const stop = async () => {
    await Promise.allSettled([libsqlCluster?.stop(), proxy?.close()]);
    await postgresCluster?.stop();
  };
  try {
    const [libsqlResult, postgresResult] = await Promise.allSettled([
      wantLibsql ? startLibsqlCluster({ replicas: 2 }) : Promise.resolve(undefined),
      wantPostgres ? startPostgresCluster({ replicas: 2 }) : Promise.resolve(undefined),
    ]);
    if (libsqlResult.status === 'fulfilled') libsqlCluster = libsqlResult.value;
    if (postgresResult.status === 'fulfilled') postgresCluster = postgresResult.value;
    if (libsqlResult.status === 'rejected') throw libsqlResult.reason;
    if (postgresResult.status === 'rejected') throw postgresResult.reason;
    if (postgresCluster !== undefined)
      proxy = await startNeonProxy({ httpRoute: postgresHttpRoutes(postgresCluster) });
  } catch (error) {
    await stop();
    throw error;
  }

  const targets: GuestbookTarget[] = [];
  if (libsqlCluster !== undefined) {
    const cluster = libsqlCluster;
    cluster.primary.setLatency(5);
    await Promise.all(cluster.replicas.map((replica, i) => replica.setLatency(i === 0 ? 1 : 5)));
    targets.push({
      driver: 'libsql',
      env: {
        DB_DRIVER: 'libsql',
        PRIMARY_URL: cluster.primary.url,
        REPLICA_URLS: cluster.replicas.map((replica) => replica.url).join(','),
      },
      pauseReplicas: async () => {
        await Promise.all(cluster.replicas.map((replica) => replica.pause()));
      },
      resumeReplicas: async () => {
        await Promise.all(cluster.replicas.map((replica) => replica.resume()));
      },
      catchUp: async () => {
        const index = await cluster.primary.replicationIndex();
        await Promise.all(cluster.replicas.map((replica) => replica.waitForIndex(index)));
      },
    });
  }
  if (postgresCluster !== undefined && proxy !== undefined) {
    const cluster = postgresCluster;
    cluster.primary.setLatency(5);
    for (const [i, replica] of cluster.replicas.entries()) replica.setLatency(i === 0 ? 1 : 5);
    targets.push({
      driver: 'neon',
      env: {
        DB_DRIVER: 'neon',
        PRIMARY_URL: cluster.primary.url,
        REPLICA_URLS: cluster.replicas.map((replica) => replica.url).join(','),
        NEON_LOCAL_PROXY: proxy.url,
      },
      pauseReplicas: async () => {
        await Promise.all(cluster.replicas.map((replica) => replica.pause()));
      },
      resumeReplicas: async () => {
        await Promise.all(cluster.replicas.map((replica) => replica.resume()));
      },
      catchUp: async () => {
        const position = await cluster.primary.currentPosition();
        await Promise.all(cluster.replicas.map((replica) => replica.waitForPosition(position)));
      },
    });
  }
  return { targets, stop };
}

/** The env as `KEY=value` strings for child processes and bindings (only defined values). */
export function envRecord(env: GuestbookEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
