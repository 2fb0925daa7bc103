// A Worker on D1 through edge-db, run in workerd by miniflare (d1.test.ts) with miniflare's local D1: real
// bookmarks, sessions, batches and D1 errors. Each request is one edgeDb instance continued from the
// request's cookie; the reply says what the session started from and how each statement was routed.

import { consistencyToken, edgeDb, type RouteEvent, readToken, sessionInfo, withToken } from 'edge-db';
import { isolateCache } from 'edge-db/cache';
import { type D1DatabaseLike, d1, d1Batch } from 'edge-db/d1';
import type { Generated } from 'kysely';

interface Env {
  readonly DB: D1DatabaseLike;
  readonly TOKEN_SECRET: string;
}

interface Database {
  note: { id: Generated<number>; body: string };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    // The real binding, recording where each session starts (the rows are D1's own).
    const sessionsStarted: string[] = [];
    const binding: D1DatabaseLike = {
      withSession: (start) => {
        sessionsStarted.push(start);
        return env.DB.withSession(start);
      },
    };
    const events: RouteEvent[] = [];
    const db = edgeDb<Database>({
      primary: d1({ binding, name: 'notes' }),
      consistency: {
        token: readToken(request),
        secret: env.TOKEN_SECRET,
        ...(url.searchParams.has('strong') ? { mode: 'strong' as const } : {}),
      },
      ...(url.searchParams.has('cache') ? { cache: isolateCache({ ttlMs: 60_000 }) } : {}),
      onRoute: (event) => events.push(event),
    });
    let data: unknown;
    try {
      data = await handle(db, url, request);
    } catch (error) {
      const e = error as { name?: string; message?: string; code?: string };
      data = { error: { name: e.name, message: e.message, code: e.code } };
    }
    const info = await sessionInfo(db);
    const token = await consistencyToken(db);
    const body = {
      data,
      sessionsStarted,
      tokenError: (info.tokenError as { code?: string } | undefined)?.code,
      requiredPosition: info.requiredPosition,
      events: events.map((e) => ({ node: e.node, reason: e.reason, cache: e.cache, detail: e.detail })),
    };
    await db.destroy();
    return withToken(Response.json(body), token, { secure: false });
  },
};

async function handle(db: ReturnType<typeof edgeDb<Database>>, url: URL, request: Request): Promise<unknown> {
  switch (`${request.method} ${url.pathname}`) {
    case 'POST /setup':
      await db.schema
        .createTable('note')
        .ifNotExists()
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      return 'ok';
    case 'POST /notes': {
      const { body } = (await request.json()) as { body: string };
      return db.insertInto('note').values({ body }).returning(['id', 'body']).executeTakeFirstOrThrow();
    }
    case 'GET /notes':
      return db.selectFrom('note').select(['id', 'body']).orderBy('id').execute();
    case 'POST /batch': {
      const { bodies } = (await request.json()) as { bodies: string[] };
      const [, , count] = await d1Batch(db, [
        db.insertInto('note').values({ body: bodies[0]! }),
        db.insertInto('note').values({ body: bodies[1]! }),
        db.selectFrom('note').select((eb) => eb.fn.countAll<number>().as('n')),
      ]);
      return count[0]?.n;
    }
    case 'POST /transaction':
      return db.transaction().execute(async (trx) => trx.insertInto('note').values({ body: 'x' }).execute());
    case 'GET /missing':
      return db
        .selectFrom('missing_table' as 'note')
        .selectAll()
        .execute();
    default:
      return { error: { message: 'no such route' } };
  }
}
