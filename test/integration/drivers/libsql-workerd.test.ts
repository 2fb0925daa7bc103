import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LibsqlServer, startLibsqlServer } from '../../../src/testing/libsql/libsql-server.js';

// The worker keeps one Kysely instance at module scope and uses it from several requests: that hangs in
// workerd when an I/O object (a client, a socket) crosses requests, so it proves connections are per request.
const WORKER = `
import { Kysely, sql, CompiledQuery } from 'kysely';
import { libsql, LibsqlConnection } from './src/drivers/libsql/index.ts';

let db;
let backend;
export default {
  async fetch(request, env) {
    backend ??= libsql({ url: env.LIBSQL_URL, intMode: 'bigint' });
    db ??= new Kysely({ dialect: backend.dialect });
    await sql\`create table if not exists hits (id integer primary key, at text)\`.execute(db);
    const inserted = await db.insertInto('hits').values({ at: new URL(request.url).pathname }).executeTakeFirstOrThrow();
    const count = await db.selectFrom('hits').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const driver = backend.dialect.createDriver();
    const connection = await driver.acquireConnection();
    let position;
    try {
      position = await backend.replication.readPosition(connection, 'primary');
    } finally {
      await driver.releaseConnection(connection);
    }
    return Response.json({ insertId: String(inserted.insertId), count: String(count.n), position: String(position) });
  },
};
`;

let dir = '';
let server: LibsqlServer | undefined;
let mf: Miniflare | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edge-db-libsql-workerd-'));
  server = await startLibsqlServer({ dbPath: join(dir, 'primary.db'), role: 'primary' });
  const bundle = await build({
    stdin: { contents: WORKER, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0]?.text ?? '',
    compatibilityDate: '2025-01-01',
    bindings: { LIBSQL_URL: server.url },
  });
  await mf.ready;
});

afterAll(async () => {
  try {
    await mf?.dispose();
  } finally {
    try {
      await server?.stop();
    } finally {
      if (dir !== '') await rm(dir, { recursive: true, force: true });
    }
  }
});

describe('libsql driver inside workerd', () => {
  it('serves several requests from a module-scope Kysely instance and reads the replication index', async () => {
    const answers: { insertId: string; count: string; position: string }[] = [];
    for (const path of ['/a', '/b', '/c']) {
      const response = await (mf as Miniflare).dispatchFetch(`http://worker${path}`);
      expect(response.status).toBe(200);
      answers.push((await response.json()) as (typeof answers)[number]);
    }
    expect(answers.map((a) => a.count)).toEqual(['1', '2', '3']);
    expect(answers.map((a) => a.insertId)).toEqual(['1', '2', '3']);
    const positions = answers.map((a) => BigInt(a.position));
    expect(positions[2]).toBe((server as LibsqlServer).replicationIndex());
    expect(positions[0]! < positions[1]! && positions[1]! < positions[2]!).toBe(true);
  });
});
