// Notes on D1: each request is one edgeDb instance, so one D1 session. A write returns a consistency token in
// the `edge_db_token` cookie; the next request starts its D1 session from the bookmark inside it, so a user
// always reads their own notes, even from a replica. Reads are cached in the isolate for 5 s.

import { consistencyToken, edgeDb, type RouteEvent, readToken, withToken } from 'edge-db';
import { isolateCache } from 'edge-db/cache';
import { type D1DatabaseLike, d1, d1Batch } from 'edge-db/d1';
import type { Generated, Kysely } from 'kysely';

interface Env {
  readonly DB: D1DatabaseLike;
  readonly TOKEN_SECRET?: string;
}

interface Database {
  note: { id: Generated<number>; body: string; created_at: string };
}

/** The table, created once per isolate (an example's shortcut for a migration). */
let schema: Promise<unknown> | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const trace: RouteEvent[] = [];
    const db = edgeDb<Database>({
      primary: d1({ binding: env.DB, name: 'edge-db-notes' }),
      consistency: {
        token: readToken(request),
        ...(env.TOKEN_SECRET === undefined ? {} : { secret: env.TOKEN_SECRET }),
      },
      cache: isolateCache({ ttlMs: 5_000 }),
      onRoute: (event) => trace.push(event),
    });
    try {
      schema ??= createSchema(db).catch((error: unknown) => {
        schema = undefined;
        throw error;
      });
      await schema;
      const data = await handle(db, request);
      const token = await consistencyToken(db);
      const isLocal = new URL(request.url).protocol === 'http:';
      return withToken(
        Response.json({
          data,
          trace: trace.map((e) => ({
            sql: e.sql,
            node: e.node,
            reason: e.reason,
            cache: e.cache,
            detail: e.detail,
          })),
          token,
        }),
        token,
        { secure: !isLocal },
      );
    } catch (error) {
      const { message, code } = error as { message?: string; code?: string };
      return Response.json({ error: { message, code } }, { status: 500 });
    } finally {
      await db.destroy();
    }
  },
};

async function handle(db: Kysely<Database>, request: Request): Promise<unknown> {
  const url = new URL(request.url);
  switch (`${request.method} ${url.pathname}`) {
    case 'GET /':
    case 'GET /notes':
      return db.selectFrom('note').selectAll().orderBy('id', 'desc').limit(50).execute();
    case 'POST /notes': {
      const { body } = (await request.json()) as { body?: unknown };
      if (typeof body !== 'string' || body === '') throw new Error('send {"body": "some text"}');
      return db
        .insertInto('note')
        .values({ body, created_at: new Date().toISOString() })
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    case 'POST /notes/batch': {
      // D1 has no interactive transactions: a batch writes several rows atomically.
      const now = new Date().toISOString();
      const [, , count] = await d1Batch(db, [
        db.insertInto('note').values({ body: 'first of a batch', created_at: now }),
        db.insertInto('note').values({ body: 'second of a batch', created_at: now }),
        db.selectFrom('note').select((eb) => eb.fn.countAll<number>().as('notes')),
      ]);
      return count[0];
    }
    default:
      return { routes: ['GET /notes', 'POST /notes {"body": "..."}', 'POST /notes/batch'] };
  }
}

async function createSchema(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('note')
    .ifNotExists()
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
