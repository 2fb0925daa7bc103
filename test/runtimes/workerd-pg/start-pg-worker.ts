import { Miniflare } from 'miniflare';
import type { PostgresCluster } from '../../../src/testing/index.js';
import { bundleEntry, RUNTIME_CONDITIONS } from '../support/bundle-entry.js';
import { nodeCompatRequirePlugin } from '../support/node-compat-require.js';
import { type GracefulForwarder, startGracefulForwarder } from './start-graceful-forwarder.js';
import type { PgWorkerReply } from './worker/pg-worker.js';

/** How the Worker reaches PostgreSQL. */
export type PgTransport = 'tcp' | 'hyperdrive';

/**
 * `nodejs_compat` gives node-postgres its Node built-ins (`events`, `net`, `crypto`, ...); from 2025-09-15 it
 * also gives `node:fs`, which node-postgres' `pgpass` imports (earlier dates fail at start-up with
 * `No such module "node:fs"`). TCP itself (`cloudflare:sockets` `connect()`) needs neither the flag nor a date.
 */
export const PG_WORKER_COMPATIBILITY = {
  compatibilityDate: '2025-09-15',
  compatibilityFlags: ['nodejs_compat'],
} as const;

/** One answer of the Worker. */
export interface PgWorkerResponse {
  readonly status: number;
  readonly body: PgWorkerReply & { readonly error?: string };
  /** The consistency token the Worker returned (`x-edge-db-token`), if any. */
  readonly token: string | undefined;
}

/** The Worker running in workerd. */
export interface RunningPgWorker {
  readonly transport: PgTransport;
  request(method: 'GET' | 'POST', path: string, token?: string): Promise<PgWorkerResponse>;
  dispose(): Promise<void>;
}

/** Bundles test/runtimes/workerd-pg/worker/pg-worker.ts for workerd, as Wrangler would with `nodejs_compat`. */
export async function bundlePgWorker(): Promise<string> {
  const bundle = await bundleEntry(
    'test/runtimes/workerd-pg/worker/pg-worker.ts',
    RUNTIME_CONDITIONS.workerd,
    {
      external: ['cloudflare:sockets'],
      plugins: [nodeCompatRequirePlugin()],
    },
  );
  // edge-db and the Worker's own code must stay free of Node built-ins; node-postgres and its dependencies
  // (split2, pgpass) require theirs, which reach the bundle as `node:*` imports of the require shims.
  const ours = bundle.nodeImports.filter(
    (found) => found.importer.startsWith('src/') || found.importer.startsWith('test/'),
  );
  if (ours.length > 0)
    throw new Error(`Node built-ins imported by edge-db or the Worker: ${JSON.stringify(ours)}`);
  return bundle.code;
}

// miniflare's Hyperdrive bindings insist on a password; the test cluster trusts loopback and never asks for it.
function hyperdriveOrigin(forwarder: GracefulForwarder): string {
  return `postgres://postgres:unused@${forwarder.host}:${forwarder.port}/postgres`;
}

/**
 * Starts the Worker in workerd (miniflare) against the cluster's relays (`url`, so latency and outages apply).
 * `tcp` passes connection strings and the Worker opens TCP itself; `hyperdrive` binds one Hyperdrive per node
 * (miniflare's local stand-in: workerd's Hyperdrive binding and a TCP proxy, without Hyperdrive's pooling or
 * query cache), whose origin is a graceful forwarder to the node's relay.
 */
export async function startPgWorker(
  code: string,
  cluster: PostgresCluster,
  transport: PgTransport,
  vars: Readonly<Record<string, string>> = {},
): Promise<RunningPgWorker> {
  const [eu, ap] = cluster.replicas;
  if (eu === undefined || ap === undefined)
    throw new Error('the pg Worker needs a cluster with two replicas');
  // Hyperdrive origins go through graceful forwarders to the nodes' relays (see startGracefulForwarder).
  const forwarders =
    transport === 'hyperdrive'
      ? await Promise.all(
          [cluster.primary, eu, ap].map((node) => startGracefulForwarder(node.host, node.port)),
        )
      : [];
  const closeForwarders = async () => {
    await Promise.all(forwarders.map((forwarder) => forwarder.close()));
  };
  const [primaryOrigin, euOrigin, apOrigin] = forwarders;
  const miniflare = new Miniflare({
    modules: true,
    script: code,
    ...PG_WORKER_COMPATIBILITY,
    compatibilityFlags: [...PG_WORKER_COMPATIBILITY.compatibilityFlags],
    ...(primaryOrigin !== undefined && euOrigin !== undefined && apOrigin !== undefined
      ? {
          hyperdrives: {
            HYPERDRIVE_PRIMARY: hyperdriveOrigin(primaryOrigin),
            HYPERDRIVE_EU: hyperdriveOrigin(euOrigin),
            HYPERDRIVE_AP: hyperdriveOrigin(apOrigin),
          },
          bindings: { ...vars },
        }
      : { bindings: { PG_PRIMARY_URL: cluster.primary.url, PG_EU_URL: eu.url, PG_AP_URL: ap.url, ...vars } }),
  });
  try {
    await miniflare.ready;
  } catch (error) {
    await closeForwarders();
    throw error;
  }
  return {
    transport,
    request: async (method, path, token) => {
      const response = await miniflare.dispatchFetch(`http://pg-worker.local${path}`, {
        method,
        headers: token === undefined ? {} : { 'x-edge-db-token': token },
      });
      const body = (await response.json()) as PgWorkerResponse['body'];
      return { status: response.status, body, token: response.headers.get('x-edge-db-token') ?? undefined };
    },
    dispose: async () => {
      try {
        await miniflare.dispose();
      } finally {
        await closeForwarders();
      }
    },
  };
}
