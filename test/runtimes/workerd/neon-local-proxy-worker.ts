// A Worker developed locally against the Neon-compatible proxy of edge-db/testing: it gets the proxy's URL
// from a binding and builds its neon() options with neonLocalProxySettings from edge-db/neon, which is all
// a Worker can import (edge-db/testing is Node only). Bundled and run in workerd by neon-local-proxy.test.ts.

import { neon, neonLocalProxySettings } from 'edge-db/neon';
import { CompiledQuery, Kysely } from 'kysely';

interface Env {
  readonly NEON_LOCAL_PROXY: string;
  readonly PRIMARY_URL: string;
  readonly REPLICA_URL: string;
}

/** One statement to run: on which node, over which of the Neon driver's transports. */
interface QueryRequest {
  readonly node: 'primary' | 'replica';
  /** `http`: a single statement over SQL over HTTP; `websocket`: inside a transaction over a WebSocket. */
  readonly transport: 'http' | 'websocket';
  readonly sql: string;
  readonly params?: readonly unknown[];
  /** Use this proxy URL instead of the binding (to see a bad one refused). */
  readonly proxyUrl?: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const query = (await request.json()) as QueryRequest;
    let db: Kysely<Record<string, never>> | undefined;
    try {
      const nodeUrl = query.node === 'replica' ? env.REPLICA_URL : env.PRIMARY_URL;
      const settings = neonLocalProxySettings(query.proxyUrl ?? env.NEON_LOCAL_PROXY, nodeUrl);
      // Per request: Workers must not share I/O objects (the driver's sockets) between requests.
      db = new Kysely({ dialect: neon({ ...settings, requestTimeoutMs: 10_000 }).dialect });
      const compiled = CompiledQuery.raw(query.sql, [...(query.params ?? [])]);
      const result =
        query.transport === 'websocket'
          ? await db.transaction().execute((trx) => trx.executeQuery(compiled))
          : await db.executeQuery(compiled);
      return Response.json({ rows: result.rows, webSocket: typeof WebSocket === 'function' });
    } catch (error) {
      const { name, message, code } = error as { name?: string; message?: string; code?: string };
      return Response.json({ error: { name, message, code } }, { status: 500 });
    } finally {
      await db?.destroy();
    }
  },
};
