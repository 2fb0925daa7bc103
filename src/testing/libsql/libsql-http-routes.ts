import type { IncomingMessage } from 'node:http';
import type { HranaHttpEndpoints } from './hrana-http-endpoints.js';
import { type Answer, jsonAnswer, readBody } from './http-answer.js';
import type { PrimaryWalLog } from './primary-wal-log.js';
import { answerSyncRequest } from './sync-endpoints.js';

/** What the HTTP routes of a node need. */
export interface HttpRouteContext {
  readonly role: 'primary' | 'replica';
  readonly authToken: string | undefined;
  /** A primary's log (serves the sync protocol on the sync listener). */
  readonly log: PrimaryWalLog | undefined;
  readonly hrana: HranaHttpEndpoints;
  currentIndex(): bigint;
  generation(): number;
}

/**
 * Routes one HTTP request of a node: health and version probes (no token needed), then with the bearer
 * token the sync protocol (sync listener only), `/edge-db/replication` and the Hrana endpoints.
 */
export async function routeHttpRequest(
  req: IncomingMessage,
  forSync: boolean,
  context: HttpRouteContext,
): Promise<Answer> {
  const path = (req.url ?? '/').split('?')[0] as string;
  const method = req.method ?? 'GET';
  if (method === 'GET' && (path === '/health' || path === '/v2' || path === '/v3' || path === '/version')) {
    return {
      status: 200,
      contentType: 'text/plain',
      body: path === '/version' ? 'edge-db-local-libsql' : 'ok',
    };
  }
  if (context.authToken !== undefined && req.headers.authorization !== `Bearer ${context.authToken}`) {
    return jsonAnswer(401, {
      message: 'edge-db: missing or wrong bearer token for the local libSQL server',
      code: 'UNAUTHORIZED',
    });
  }
  if (forSync) {
    const answer =
      method === 'GET' && context.log !== undefined ? answerSyncRequest(path, context.log) : undefined;
    return answer ?? jsonAnswer(404, { message: `Unknown path ${path}`, code: 'NOT_FOUND' });
  }
  if (method === 'GET' && path === '/edge-db/replication') {
    return jsonAnswer(200, {
      role: context.role,
      replication_index: context.currentIndex().toString(),
      generation: context.generation(),
    });
  }
  if (method === 'POST' && (path === '/v2/pipeline' || path === '/v3/pipeline')) {
    return context.hrana.pipeline(await readBody(req));
  }
  if (method === 'POST' && path === '/v3/cursor') return context.hrana.cursor(await readBody(req));
  return jsonAnswer(404, { message: `Unknown path ${method} ${path}`, code: 'NOT_FOUND' });
}
