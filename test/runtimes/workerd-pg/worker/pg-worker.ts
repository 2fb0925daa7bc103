import { consistencyToken, edgeDb, type RouteEvent, readToken, sessionInfo, withToken } from 'edge-db';
import { regions } from 'edge-db/regions';
import { type Generated, type Kysely, sql } from 'kysely';
import { type PgWorkerEnv, pgBackends } from './pg-backends.js';

interface Database {
  note: { id: Generated<number>; body: string };
}

/** Which server answered, as the server itself reports it. */
export interface ServerIdentity {
  /** `pg_is_in_recovery()`: true on a standby. */
  readonly standby: boolean;
  /** `inet_server_port()`: the server's own port (not the relay's). */
  readonly port: number;
}

/** One routing decision as the Worker reports it. */
export interface ReportedRoute {
  readonly node: string;
  readonly role: string;
  readonly reason: string;
  readonly attempts: readonly { readonly node: string; readonly outcome: string }[];
  readonly error?: string;
}

/** The JSON body of every successful response. */
export interface PgWorkerReply {
  readonly server?: ServerIdentity;
  readonly notes?: readonly string[];
  readonly routes: readonly ReportedRoute[];
  /** Why the request's token was ignored, if it was. */
  readonly tokenError?: string;
}

// One statement returns the rows together with the identity of the server that produced them, so a test can
// tell a standby's answer from the primary's without trusting the router's own report.
const WHO_AND_NOTES = sql<ServerIdentity & { notes: string[] }>`
  select pg_is_in_recovery() as standby, inet_server_port() as port,
         coalesce((select json_agg(body order by id) from note), '[]'::json) as notes`;

async function handle(db: Kysely<Database>, request: Request): Promise<Omit<PgWorkerReply, 'routes'>> {
  const url = new URL(request.url);
  const body = url.searchParams.get('note') ?? '';
  switch (`${request.method} ${url.pathname}`) {
    case 'GET /read': {
      const row = (await WHO_AND_NOTES.execute(db)).rows[0];
      if (row === undefined) throw new Error('the read returned no row');
      return { server: { standby: row.standby, port: row.port }, notes: row.notes };
    }
    case 'POST /write': {
      await db.insertInto('note').values({ body }).execute();
      return {};
    }
    case 'POST /transaction': {
      const server = await db.transaction().execute(async (trx) => {
        await trx.insertInto('note').values({ body }).execute();
        const row = (await WHO_AND_NOTES.execute(trx)).rows[0];
        if (row === undefined) throw new Error('the read returned no row');
        return { standby: row.standby, port: row.port };
      });
      return { server };
    }
    default:
      throw new Error(`no route ${request.method} ${url.pathname}`);
  }
}

/**
 * A Worker that reaches PostgreSQL with node-postgres over TCP (`cloudflare:sockets`, under `nodejs_compat`),
 * directly or through Hyperdrive bindings, and builds one edge-db instance per request.
 */
export default {
  async fetch(request: Request, env: PgWorkerEnv): Promise<Response> {
    const routes: ReportedRoute[] = [];
    const attemptTimeoutMs =
      env.ATTEMPT_TIMEOUT_MS === undefined ? undefined : Number(env.ATTEMPT_TIMEOUT_MS);
    const db = edgeDb<Database>({
      ...pgBackends(env),
      regions,
      consistency: { token: readToken(request) },
      ...(attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs }),
      onRoute: (event: RouteEvent) => {
        routes.push({
          node: event.node,
          role: event.role,
          reason: event.reason,
          attempts: event.attempts.map((attempt) => ({ node: attempt.node, outcome: attempt.outcome })),
          ...(event.error === undefined ? {} : { error: String(event.error) }),
        });
      },
    });
    try {
      const reply = await handle(db, request);
      const tokenError = (await sessionInfo(db)).tokenError;
      const response = Response.json({
        ...reply,
        routes,
        ...(tokenError === undefined ? {} : { tokenError: tokenError.message }),
      } satisfies PgWorkerReply);
      return withToken(response, await consistencyToken(db), { secure: false });
    } catch (error) {
      return Response.json({ error: String(error), routes }, { status: 500 });
    } finally {
      // The pools' sockets belong to this request: close them before it ends.
      await db.destroy();
    }
  },
};
