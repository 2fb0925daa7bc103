import { type Backend, pipelinedPostgresReplication } from 'edge-db';
import { PostgresDialect } from 'kysely';
import pg from 'pg';

/** The part of a Cloudflare Hyperdrive binding node-postgres needs (`@cloudflare/workers-types`' `Hyperdrive`). */
export interface HyperdriveBinding {
  readonly connectionString: string;
}

/**
 * The Worker's bindings. Either one Hyperdrive binding per node (`HYPERDRIVE_*`), as deployed, or plain
 * connection strings (`PG_*_URL`), for a Worker that opens TCP to the databases itself.
 */
export interface PgWorkerEnv {
  readonly HYPERDRIVE_PRIMARY?: HyperdriveBinding;
  readonly HYPERDRIVE_EU?: HyperdriveBinding;
  readonly HYPERDRIVE_AP?: HyperdriveBinding;
  readonly PG_PRIMARY_URL?: string;
  readonly PG_EU_URL?: string;
  readonly PG_AP_URL?: string;
  /** Per-attempt deadline in milliseconds (the outage test shortens it for a hung standby). */
  readonly ATTEMPT_TIMEOUT_MS?: string;
  /** `1`: node-postgres pools in pipeline mode, with edge-db's `pipelinedPostgresReplication`. */
  readonly PG_PIPELINE?: string;
}

/** The nodes of the cluster, in the order the Worker gives them to edge-db. */
export const NODE_NAMES = ['primary', 'replica-eu', 'replica-ap'] as const;

/** One node's connection string, whichever way the Worker was configured. */
function connectionString(
  binding: HyperdriveBinding | undefined,
  url: string | undefined,
  name: string,
): string {
  const value = binding?.connectionString ?? url;
  if (value === undefined || value === '') {
    throw new Error(`pg-worker: no connection string for ${name}; bind a Hyperdrive or set its PG_*_URL`);
  }
  return value;
}

/**
 * A backend over node-postgres. The Pool is created here, inside the request, because Workers forbid I/O
 * objects (sockets) that outlive the request that opened them; `db.destroy()` ends it. `max: 1` keeps the
 * request's open sockets few (a Worker invocation may only hold a handful at once).
 */
function pgBackend(name: string, region: string, url: string, pipeline: boolean): Backend {
  return {
    name,
    id: `pg-worker:${name}`,
    region,
    dialect: new PostgresDialect({
      pool: new pg.Pool({
        connectionString: url,
        max: 1,
        connectionTimeoutMillis: 3_000,
        ...(pipeline ? { pipeline: true } : {}),
      }),
    }),
    ...(pipeline ? { replication: pipelinedPostgresReplication } : {}),
  };
}

/** The primary and both standbys as edge-db backends, built per request. */
export function pgBackends(env: PgWorkerEnv): { primary: Backend; replicas: Backend[] } {
  const pipeline = env.PG_PIPELINE === '1';
  return {
    primary: pgBackend(
      'primary',
      'aws-us-east-1',
      connectionString(env.HYPERDRIVE_PRIMARY, env.PG_PRIMARY_URL, 'primary'),
      pipeline,
    ),
    replicas: [
      pgBackend(
        'replica-eu',
        'aws-eu-central-1',
        connectionString(env.HYPERDRIVE_EU, env.PG_EU_URL, 'replica-eu'),
        pipeline,
      ),
      pgBackend(
        'replica-ap',
        'aws-ap-southeast-1',
        connectionString(env.HYPERDRIVE_AP, env.PG_AP_URL, 'replica-ap'),
        pipeline,
      ),
    ],
  };
}
