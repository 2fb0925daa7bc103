import {
  consistencyToken,
  type EdgeDbConfig,
  edgeDb,
  type RouteEvent,
  readToken,
  route,
  withToken,
} from 'edge-db';
import { isolateCache } from 'edge-db/cache';
import { regions } from 'edge-db/regions';
import type { Generated, Kysely } from 'kysely';
import { backendsFromEnv, type GuestbookEnv, type PlatformOptions } from './backends-from-env.js';

export type { GuestbookEnv } from './backends-from-env.js';

interface Database {
  entry: { id: Generated<number>; name: string; message: string };
}

/** A routing decision as the guestbook reports it in every response (`trace`). */
export interface TraceEntry {
  readonly sql: string;
  readonly node: string;
  readonly reason: string;
  readonly detail?: string;
  readonly durationMs: number;
  readonly cache?: string;
  readonly requiredPosition?: string;
  readonly requiredTransactions?: readonly string[];
}

/** Options of {@link handleGuestbook}. */
export interface GuestbookOptions extends PlatformOptions {
  /** Path prefix the routes live under (`/api/guestbook` in the Next.js example). @default '' */
  readonly basePath?: string;
  /** Receives every route event too (the demo prints them). */
  readonly onRoute?: (event: RouteEvent) => void;
  /** Keeps background cache refreshes alive after the response (a Worker's `ctx.waitUntil`). */
  readonly waitUntil?: (promise: Promise<unknown>) => void;
}

/**
 * A small guestbook on edge-db, written once for every runtime (each example wraps it in its runtime's
 * entry point). Routes:
 *
 * - `POST /setup`: creates the table (DDL: primary).
 * - `GET /entries`: the latest entries, cached in the isolate for 5 s (replica, then cache hits).
 * - `GET /entries/:id`: one entry, uncached (replica that has this user's writes).
 * - `POST /entries` `{name, message}`: a write (primary); the response carries the new token.
 * - `POST /entries/batch` `{entries: [{name, message}, ...]}`: one transaction (primary).
 *
 * The token travels in the `edge_db_token` cookie (and the `x-edge-db-token` header): a user reads their own
 * writes on the next request, wherever it lands. Every JSON response has `data`, `trace` and `token`.
 */
export async function handleGuestbook(
  request: Request,
  env: GuestbookEnv,
  options: GuestbookOptions = {},
): Promise<Response> {
  const trace: TraceEntry[] = [];
  const { family, primary, replicas } = backendsFromEnv(env, options);
  const config = {
    primary,
    replicas,
    consistency: { token: readToken(request), ...(env.TOKEN_SECRET ? { secret: env.TOKEN_SECRET } : {}) },
    // Where this code runs, to rank replicas by distance before latencies are measured: Cloudflare's
    // request.cf, Vercel's headers, VERCEL_REGION/FLY_REGION/DENO_REGION/AWS_REGION, or CALLER_REGION.
    location: {
      request,
      env: env as unknown as Readonly<Record<string, string | undefined>>,
      ...(env.CALLER_REGION ? { region: env.CALLER_REGION } : {}),
    },
    // Region codes (PRIMARY_REGION, REPLICA_REGIONS, the platform's own) resolve through this table.
    regions,
    // Isolate-wide query cache, shared by every request this isolate serves; only reads hinted with
    // `route(db, { cache })` use it. A write through edge-db drops the entries of the tables it touched.
    cache: isolateCache({ ttlMs: 5_000, maxBytes: 1_000_000, allReads: false }),
    ...(options.waitUntil ? { waitUntil: options.waitUntil } : {}),
    onRoute: (event: RouteEvent) => {
      trace.push(toTraceEntry(event));
      options.onRoute?.(event);
    },
  } satisfies EdgeDbConfig;
  // One instance per request: its drivers' sockets must not outlive the request (Workers forbid it).
  const db = edgeDb<Database>(config);
  try {
    const data = await dispatch(request, routePath(request, options.basePath ?? ''), db, family);
    if (data instanceof Response) return data;
    const token = await consistencyToken(db);
    const secure = new URL(request.url).protocol === 'https:';
    return withToken(Response.json({ data, trace, token: token ?? null }), token, { secure });
  } catch (error) {
    return Response.json({ error: describeError(error), trace }, { status: 500 });
  } finally {
    await db.destroy();
  }
}

function routePath(request: Request, basePath: string): string {
  const { pathname } = new URL(request.url);
  return basePath !== '' && pathname.startsWith(basePath) ? pathname.slice(basePath.length) || '/' : pathname;
}

async function dispatch(
  request: Request,
  pathname: string,
  db: Kysely<Database>,
  family: 'postgres' | 'sqlite',
): Promise<unknown> {
  const method = request.method;
  if (method === 'POST' && pathname === '/setup') {
    await db.schema
      .createTable('entry')
      .ifNotExists()
      .addColumn('id', family === 'postgres' ? 'serial' : 'integer', (column) => column.primaryKey())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('message', 'text', (column) => column.notNull())
      .execute();
    return { ready: true };
  }
  if (method === 'GET' && pathname === '/entries') {
    return await route(db, { cache: { ttlMs: 5_000, tags: ['entry'] } })
      .selectFrom('entry')
      .select(['id', 'name', 'message'])
      .orderBy('id', 'desc')
      .limit(20)
      .execute();
  }
  const one = /^\/entries\/(\d+)$/.exec(pathname);
  if (method === 'GET' && one) {
    const entry = await db
      .selectFrom('entry')
      .select(['id', 'name', 'message'])
      .where('id', '=', Number(one[1]))
      .executeTakeFirst();
    return entry ?? null;
  }
  if (method === 'POST' && pathname === '/entries') {
    const body = (await request.json()) as { name?: unknown; message?: unknown };
    const values = entryValues(body);
    if (values instanceof Response) return values;
    return await db
      .insertInto('entry')
      .values(values)
      .returning(['id', 'name', 'message'])
      .executeTakeFirstOrThrow();
  }
  if (method === 'POST' && pathname === '/entries/batch') {
    const body = (await request.json()) as { entries?: unknown };
    const list = Array.isArray(body.entries) ? body.entries.map(entryValues) : [];
    const bad = list.find((values) => values instanceof Response);
    if (bad !== undefined || list.length === 0)
      return bad ?? Response.json({ error: 'entries must be a non-empty array' }, { status: 400 });
    return await db.transaction().execute(async (trx) => {
      const ids: number[] = [];
      for (const values of list as { name: string; message: string }[]) {
        const row = await trx.insertInto('entry').values(values).returning('id').executeTakeFirstOrThrow();
        ids.push(Number(row.id));
      }
      const { count } = await trx
        .selectFrom('entry')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      return { ids, total: Number(count) };
    });
  }
  return Response.json({ error: `no route for ${method} ${pathname}` }, { status: 404 });
}

function entryValues(body: unknown): { name: string; message: string } | Response {
  const { name, message } = (body ?? {}) as { name?: unknown; message?: unknown };
  if (typeof name !== 'string' || typeof message !== 'string' || name === '' || message === '') {
    return Response.json({ error: 'name and message must be non-empty strings' }, { status: 400 });
  }
  return { name: name.slice(0, 100), message: message.slice(0, 1000) };
}

function toTraceEntry(event: RouteEvent): TraceEntry {
  return {
    sql: event.sql,
    node: event.node,
    reason: event.reason,
    durationMs: event.durationMs,
    ...(event.detail === undefined ? {} : { detail: event.detail }),
    ...(event.cache === undefined ? {} : { cache: event.cache }),
    ...(event.requiredPosition === undefined ? {} : { requiredPosition: event.requiredPosition }),
    ...(event.requiredTransactions === undefined ? {} : { requiredTransactions: event.requiredTransactions }),
  };
}

function describeError(error: unknown): { name: string; message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(error) };
}
