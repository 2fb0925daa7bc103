import { type GuestbookEnv, handleGuestbook } from '../../../../lib/guestbook';

/**
 * The guestbook as a Next.js App Router route handler on Vercel's Edge Runtime, served under
 * `/api/guestbook/*`. Self-contained: copy `app/` and `lib/` into a Next.js app and
 * `npm install edge-db kysely @neondatabase/serverless @libsql/client`.
 *
 * The Edge Runtime has no `process` object: Next.js replaces each `process.env.NAME` below with its value
 * when it builds the route, which is why every variable is spelled out instead of passing `process.env`.
 */
export const runtime = 'edge';

function env(): GuestbookEnv {
  return {
    DB_DRIVER: process.env.DB_DRIVER ?? 'neon',
    PRIMARY_URL: process.env.PRIMARY_URL ?? '',
    ...optional('REPLICA_URLS', process.env.REPLICA_URLS),
    ...optional('PRIMARY_REGION', process.env.PRIMARY_REGION),
    ...optional('REPLICA_REGIONS', process.env.REPLICA_REGIONS),
    ...optional('CALLER_REGION', process.env.CALLER_REGION),
    ...optional('LIBSQL_AUTH_TOKEN', process.env.LIBSQL_AUTH_TOKEN),
    ...optional('NEON_LOCAL_PROXY', process.env.NEON_LOCAL_PROXY),
    ...optional('TOKEN_SECRET', process.env.TOKEN_SECRET),
  };
}

function optional(name: keyof GuestbookEnv, value: string | undefined): Partial<GuestbookEnv> {
  return value ? { [name]: value } : {};
}

export async function GET(request: Request): Promise<Response> {
  return handleGuestbook(request, env(), { basePath: '/api/guestbook' });
}

export async function POST(request: Request): Promise<Response> {
  return handleGuestbook(request, env(), { basePath: '/api/guestbook' });
}
