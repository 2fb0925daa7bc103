import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import type { NeonHttpRoute } from './neon-proxy.js';
import type { NeonProxyPools } from './neon-proxy-pools.js';

/** PostgreSQL error fields Neon copies into its HTTP 400 replies (the driver copies them onto `NeonDbError`). */
const errorFields = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const;

const isolationLevels: Readonly<Record<string, string>> = {
  ReadUncommitted: 'read uncommitted',
  ReadCommitted: 'read committed',
  RepeatableRead: 'repeatable read',
  Serializable: 'serializable',
};

const maxBodyBytes = 16 * 1024 * 1024;

interface HttpQuery {
  readonly query: string;
  readonly params: readonly unknown[];
}

interface ReplyOptions {
  readonly arrayMode: boolean;
  readonly rawText: boolean;
}

/** A request the proxy refuses before it reaches PostgreSQL (bad JSON, missing header). */
class BadRequest extends Error {}

/**
 * Serves Neon's SQL-over-HTTP protocol (`POST /sql`) from a pool of node-postgres connections.
 * Replies mirror Neon's: 200 with `{fields, command, rowCount, rows, rowAsArray}` (batches:
 * `{results: [...]}`), 400 with the PostgreSQL error fields, 502 when the database cannot be reached.
 */
const delay = (ms: number) =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

/** Applies an HTTP route to a connection string: the real host and port, and the latency to simulate. */
function routeOf(
  connectionString: string,
  route: ((host: string, port: number) => NeonHttpRoute | undefined) | undefined,
): { connectionString: string; latencyMs: number } | undefined {
  if (route === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return undefined;
  }
  const target = route(url.hostname, Number(url.port || 5432));
  if (target === undefined) return undefined;
  url.hostname = target.host;
  url.port = String(target.port);
  return { connectionString: url.toString(), latencyMs: target.latencyMs };
}

export async function handleSqlOverHttp(
  request: IncomingMessage,
  response: ServerResponse,
  pools: NeonProxyPools,
  route?: (host: string, port: number) => NeonHttpRoute | undefined,
): Promise<void> {
  let client: pg.PoolClient | undefined;
  let latencyMs = 0;
  // The reply's way out takes the same simulated latency as the request's way in.
  const answer = (status: number, payload: unknown) => {
    void delay(latencyMs).then(() => sendJson(response, status, payload));
  };
  let clientBroken: Error | undefined;
  const onClientError = (error: Error) => {
    clientBroken ??= error;
  };
  let mayChangeSession = true;
  try {
    let connectionString = headerOf(request, 'neon-connection-string');
    if (connectionString === undefined) throw new BadRequest('missing Neon-Connection-String header');
    const routed = routeOf(connectionString, route);
    if (routed !== undefined) {
      connectionString = routed.connectionString;
      latencyMs = routed.latencyMs;
      await delay(latencyMs); // the request's way in
    }
    const body = parseBody(await readBody(request));
    const reply: ReplyOptions = {
      arrayMode: headerOf(request, 'neon-array-mode') === 'true',
      rawText: headerOf(request, 'neon-raw-text-output') === 'true',
    };
    const queries = 'queries' in body ? body.queries : [body];
    mayChangeSession = queries.some((query) => !isPlainDataStatement(query.query));
    try {
      client = await pools.poolFor(connectionString).connect();
    } catch (error) {
      answer(502, { message: `Couldn't connect to database: ${messageOf(error)}` });
      return;
    }
    // pg-pool listens for 'error' on idle clients only. A checked-out client whose connection dies
    // mid-query (relay reset, node stopped) emits 'error' besides failing the query: without a listener of
    // our own that would be an uncaught exception that ends the process hosting the proxy.
    client.on('error', onClientError);
    if ('queries' in body) {
      const begin = beginStatement(request);
      await client.query(begin);
      try {
        const results = [];
        for (const query of body.queries) results.push(await runQuery(client, query, reply));
        await client.query('commit');
        answer(200, { results });
      } catch (error) {
        await client.query('rollback').catch((rollbackError: Error) => {
          clientBroken = rollbackError;
        });
        throw error;
      }
    } else {
      answer(200, await runQuery(client, body, reply));
    }
  } catch (error) {
    if (pools.isDatabaseError(error)) {
      // FATAL and PANIC end the session (terminated backend, server shutting down): the connection is gone.
      if (error.severity === 'FATAL' || error.severity === 'PANIC') clientBroken ??= error;
      answer(400, databaseErrorBody(error));
    } else if (error instanceof BadRequest) {
      answer(400, { message: error.message });
    } else {
      // Connection lost mid-query or a client-side timeout: the pooled connection is unusable.
      clientBroken = error instanceof Error ? error : new Error(String(error));
      answer(502, { message: `Database connection failed: ${messageOf(error)}` });
    }
  } finally {
    if (client !== undefined) {
      // Like Neon, hand the next request a clean session: a SET sent over HTTP must not leak into it.
      // Plain data statements skip the reset: through a latency relay it would cost the next request a
      // round trip (or a new connection) that Neon, sitting next to the database, does not pay.
      if (clientBroken === undefined && mayChangeSession) {
        await client.query('discard all').catch((error: Error) => {
          clientBroken = error;
        });
      }
      client.release(clientBroken);
      // The pool has put its own listener back (idle client) or destroyed the client (broken one).
      client.off('error', onClientError);
    }
  }
}

async function runQuery(client: pg.PoolClient, query: HttpQuery, reply: ReplyOptions) {
  const result = await client.query({ text: query.query, values: [...query.params], rowMode: 'array' });
  const fields = result.fields.map((field) => ({
    name: field.name,
    dataTypeID: field.dataTypeID,
    tableID: field.tableID,
    columnID: field.columnID,
    dataTypeSize: field.dataTypeSize,
    dataTypeModifier: field.dataTypeModifier,
    format: field.format,
  }));
  const arrays = (result.rows as unknown[][]).map((row) =>
    reply.rawText ? row : row.map((value, index) => toJsonValue(value, fields[index]?.dataTypeID)),
  );
  const rows = reply.arrayMode
    ? arrays
    : arrays.map((row) => Object.fromEntries(row.map((value, index) => [fields[index]?.name ?? '', value])));
  return { fields, command: result.command, rowCount: result.rowCount, rows, rowAsArray: reply.arrayMode };
}

const plainDataKeywords = new Set([
  'select',
  'insert',
  'update',
  'delete',
  'with',
  'values',
  'table',
  'explain',
  'merge',
]);
const sessionEffects = /set_config|advisory|pg_temp|nextval|setval/i;

/**
 * True for statements that cannot leave session state behind (so the pooled connection needs no reset).
 * Deliberately independent of the driver's own classifier, so a driver bug shows up as a lost `SET`.
 */
function isPlainDataStatement(sql: string): boolean {
  const keyword = /^[\s(]*([a-z]+)/i.exec(sql)?.[1]?.toLowerCase();
  return keyword !== undefined && plainDataKeywords.has(keyword) && !sessionEffects.test(sql);
}

/** Without `Neon-Raw-Text-Output`, Neon turns numbers, booleans and JSON into JSON values. */
function toJsonValue(value: unknown, dataTypeID: number | undefined): unknown {
  if (typeof value !== 'string') return value;
  switch (dataTypeID) {
    case 16:
      return value === 't';
    case 21:
    case 23:
    case 700:
    case 701:
      return Number(value);
    case 114:
    case 3802:
      return JSON.parse(value);
    default:
      return value;
  }
}

function beginStatement(request: IncomingMessage): string {
  let sql = 'begin';
  const isolation = headerOf(request, 'neon-batch-isolation-level');
  if (isolation !== undefined) {
    const level = isolationLevels[isolation];
    if (level === undefined) throw new BadRequest(`invalid Neon-Batch-Isolation-Level: ${isolation}`);
    sql += ` isolation level ${level}`;
  }
  const readOnly = headerOf(request, 'neon-batch-read-only');
  if (readOnly !== undefined) sql += readOnly === 'true' ? ' read only' : ' read write';
  const deferrable = headerOf(request, 'neon-batch-deferrable');
  if (deferrable !== undefined) sql += deferrable === 'true' ? ' deferrable' : ' not deferrable';
  return sql;
}

function databaseErrorBody(error: pg.DatabaseError): Record<string, unknown> {
  const body: Record<string, unknown> = { message: error.message };
  for (const field of errorFields) {
    const value = error[field];
    if (value !== undefined) body[field] = value;
  }
  return body;
}

function parseBody(text: string): HttpQuery | { readonly queries: readonly HttpQuery[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadRequest('request body is not JSON');
  }
  if (typeof json === 'object' && json !== null && 'queries' in json && Array.isArray(json.queries)) {
    return { queries: json.queries.map(toHttpQuery) };
  }
  return toHttpQuery(json);
}

function toHttpQuery(value: unknown): HttpQuery {
  if (typeof value !== 'object' || value === null || !('query' in value) || typeof value.query !== 'string') {
    throw new BadRequest('expected {query, params} or {queries: [{query, params}, ...]}');
  }
  const params = 'params' in value && Array.isArray(value.params) ? value.params : [];
  return { query: value.query, params };
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) throw new BadRequest(`request body larger than ${maxBodyBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
