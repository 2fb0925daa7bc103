// A copy of examples/shared/backends-from-env.ts, so this folder works on its own once copied into a Next.js app
// (test/runtimes/examples/vercel-self-contained.test.ts keeps the two the same).
import type { Backend } from 'edge-db';
import { libsql } from 'edge-db/libsql';
import { neon } from 'edge-db/neon';

/**
 * The settings every example reads from its environment (Worker bindings, `Deno.env`, `process.env`).
 * Only `DB_DRIVER` and `PRIMARY_URL` are required.
 */
export interface GuestbookEnv {
  /** `neon` (PostgreSQL through Neon's serverless driver) or `libsql` (self-hosted sqld, or one Turso database). */
  readonly DB_DRIVER: string;
  readonly PRIMARY_URL: string;
  /** Comma-separated replica URLs, in the same order as `REPLICA_REGIONS`. */
  readonly REPLICA_URLS?: string;
  /** Region of the primary (`aws-us-east-2`, `fra`, ...), for nearest-replica ranking. */
  readonly PRIMARY_REGION?: string;
  /**
   * Comma-separated regions of the replicas. Neon's read replicas are in the primary's region; self-hosted
   * libSQL (sqld) replicas or cross-region PostgreSQL standbys can be elsewhere.
   */
  readonly REPLICA_REGIONS?: string;
  /** Where this code runs (`aws-eu-central-1`, `fra`), when the platform does not say (see `location`). */
  readonly CALLER_REGION?: string;
  /** libSQL auth token. */
  readonly LIBSQL_AUTH_TOKEN?: string;
  /**
   * Local development only: `http://127.0.0.1:PORT` of edge-db/testing's Neon proxy. On Neon, leave it
   * unset: the driver finds Neon's own proxy from the URL.
   */
  readonly NEON_LOCAL_PROXY?: string;
  /** Signs consistency tokens (at least 32 characters). */
  readonly TOKEN_SECRET?: string;
}

/** What {@link backendsFromEnv} builds: one primary and its replicas. */
export interface GuestbookBackends {
  readonly family: 'postgres' | 'sqlite';
  readonly primary: Backend;
  readonly replicas: readonly Backend[];
}

/** Platform pieces a runtime may have to provide. */
export interface PlatformOptions {
  /** Node 20 has no global `WebSocket`: pass the `ws` package's constructor for the Neon driver. */
  readonly webSocketConstructor?: unknown;
}

/**
 * Builds the backends from the environment. Cheap and without I/O: call it per request (Workers forbid
 * reusing a driver's sockets across requests).
 */
export function backendsFromEnv(env: GuestbookEnv, platform: PlatformOptions = {}): GuestbookBackends {
  const urls = [env.PRIMARY_URL, ...split(env.REPLICA_URLS)];
  const regions = [env.PRIMARY_REGION, ...split(env.REPLICA_REGIONS)];
  const names = urls.map((_, i) => (i === 0 ? 'primary' : `replica-${i - 1}`));
  const placed = (i: number) => {
    const region = regions[i];
    return { name: names[i] ?? `node-${i}`, ...(region ? { region } : {}) };
  };
  let nodes: Backend[];
  let family: GuestbookBackends['family'];
  if (env.DB_DRIVER === 'libsql') {
    family = 'sqlite';
    nodes = urls.map((url, i) =>
      libsql({ url, ...placed(i), ...(env.LIBSQL_AUTH_TOKEN ? { authToken: env.LIBSQL_AUTH_TOKEN } : {}) }),
    );
  } else if (env.DB_DRIVER === 'neon') {
    family = 'postgres';
    const local = env.NEON_LOCAL_PROXY ? localNeonSettings(env.NEON_LOCAL_PROXY) : {};
    const webSocket = platform.webSocketConstructor
      ? { webSocketConstructor: platform.webSocketConstructor as never }
      : {};
    nodes = urls.map((url, i) => neon({ url, ...placed(i), ...local, ...webSocket }));
  } else {
    throw new Error(`guestbook: DB_DRIVER must be "neon" or "libsql", got ${JSON.stringify(env.DB_DRIVER)}`);
  }
  const [primary, ...replicas] = nodes;
  if (primary === undefined) throw new Error('guestbook: PRIMARY_URL is required');
  return { family, primary, replicas };
}

/** Points the Neon driver at a local proxy: plain ws:, SQL over HTTP on /sql, trust auth (no pipelined password). */
function localNeonSettings(proxy: string) {
  const { host } = new URL(proxy);
  return {
    fetchEndpoint: `${proxy.replace(/\/$/, '')}/sql`,
    wsProxy: `${host}/v1`,
    useSecureWebSocket: false,
    pipelineConnect: false as const,
    forceDisablePgSSL: true,
  };
}

function split(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
