import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import type { BenchResult } from '../lib/bench-result.js';
import { ratioComparison } from '../lib/comparison.js';
import { summarize } from '../lib/percentiles.js';
import { latencyRow, type Scenario, type ScenarioContext } from '../lib/scenario.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PEERS = ['kysely', '@libsql/client', '@neondatabase/serverless', 'libsql', 'pg', 'ws'];

/**
 * Each Worker builds its database object per request (as Workers require for I/O objects) but answers without a
 * query, so start-up measures loading and evaluating the bundle, not a database.
 */
const WORKERS: readonly { readonly system: string; readonly variant: string; readonly source: string }[] = [
  {
    system: 'empty worker',
    variant: 'reference',
    source: `export default { fetch() { return new Response('ok') } }`,
  },
  {
    system: 'edge-db + neon',
    variant: 'neon worker',
    source: `
      import { edgeDb } from './src/index.ts'
      import { neon } from './src/drivers/neon/index.ts'
      export default { fetch(request, env) {
        const db = edgeDb({ primary: neon({ url: env.PG_URL }), replicas: [neon({ url: env.PG_REPLICA_URL, name: 'r1' })] })
        return new Response(typeof db.selectFrom === 'function' ? 'ok' : 'broken')
      } }`,
  },
  {
    system: 'kysely + neon',
    variant: 'neon worker',
    source: `
      import { Kysely, PostgresDialect } from 'kysely'
      import { Pool } from '@neondatabase/serverless'
      export default { fetch(request, env) {
        const db = new Kysely({ dialect: new PostgresDialect({ pool: () => new Pool({ connectionString: env.PG_URL }) }) })
        return new Response(typeof db.selectFrom === 'function' ? 'ok' : 'broken')
      } }`,
  },
  {
    system: 'edge-db + libsql',
    variant: 'libsql worker',
    source: `
      import { edgeDb } from './src/index.ts'
      import { libsql } from './src/drivers/libsql/index.ts'
      export default { fetch(request, env) {
        const db = edgeDb({ primary: libsql({ url: env.LIBSQL_URL }), replicas: [libsql({ url: env.LIBSQL_REPLICA_URL, name: 'r1' })] })
        return new Response(typeof db.selectFrom === 'function' ? 'ok' : 'broken')
      } }`,
  },
  {
    // Kysely has no libSQL dialect of its own: this is the smallest one a user would write over the web client.
    system: 'kysely + libsql',
    variant: 'libsql worker',
    source: `
      import { Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely'
      import { createClient } from '@libsql/client/web'
      const dialect = (url) => ({
        createAdapter: () => new SqliteAdapter(),
        createIntrospector: (db) => new SqliteIntrospector(db),
        createQueryCompiler: () => new SqliteQueryCompiler(),
        createDriver: () => {
          let client
          const connection = {
            async executeQuery(q) {
              const rs = await client.execute({ sql: q.sql, args: q.parameters })
              return { rows: rs.rows, numAffectedRows: BigInt(rs.rowsAffected) }
            },
            async *streamQuery() { throw new Error('no streaming') },
          }
          return {
            async init() { client = createClient({ url }) },
            async acquireConnection() { return connection },
            async beginTransaction(c) { await c.executeQuery({ sql: 'begin', parameters: [] }) },
            async commitTransaction(c) { await c.executeQuery({ sql: 'commit', parameters: [] }) },
            async rollbackTransaction(c) { await c.executeQuery({ sql: 'rollback', parameters: [] }) },
            async releaseConnection() {},
            async destroy() { client?.close() },
          }
        },
      })
      export default { fetch(request, env) {
        const db = new Kysely({ dialect: dialect(env.LIBSQL_URL) })
        return new Response(typeof db.selectFrom === 'function' ? 'ok' : 'broken')
      } }`,
  },
];

/** Bundles with the settings a Worker build uses; `external` keeps peers out of the core measurement. */
async function bundleOf(source: string, external: readonly string[] = []): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'ts', sourcefile: 'bench-entry.ts' },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: [...external],
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

function sizes(code: string): { min_bytes: number; gzip_bytes: number } {
  return { min_bytes: Buffer.byteLength(code), gzip_bytes: gzipSync(code, { level: 9 }).byteLength };
}

/** Wall time from `new Miniflare()` to the first response of the Worker (workerd boot, bundle load, one fetch). */
async function startupMs(script: string): Promise<number> {
  const start = performance.now();
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2025-01-01',
    compatibilityFlags: ['nodejs_compat'],
    // Never contacted: the Workers build their database objects but run no query.
    bindings: {
      // Neon-shaped hosts: neon() refuses other hosts without a proxy setting (never contacted here).
      PG_URL: 'postgresql://bench:bench@ep-bench-primary.us-east-2.aws.neon.tech/bench',
      PG_REPLICA_URL: 'postgresql://bench:bench@ep-bench-replica.us-east-2.aws.neon.tech/bench',
      LIBSQL_URL: 'http://127.0.0.1:9',
      LIBSQL_REPLICA_URL: 'http://127.0.0.2:9',
    },
  });
  try {
    await mf.ready;
    const response = await mf.dispatchFetch('http://worker/');
    const text = await response.text();
    if (text !== 'ok') throw new Error(`the bench Worker answered ${response.status} ${text.slice(0, 200)}`);
    return performance.now() - start;
  } finally {
    await mf.dispose();
  }
}

export const bundle: Scenario = {
  name: 'bundle',
  description:
    'Minified + gzipped (level 9) esbuild sizes of edge-db without its peers and of Workers with each driver, and workerd (miniflare) start-up to the first response, vs plain Kysely with the same driver.',
  async run(context: ScenarioContext): Promise<BenchResult[]> {
    const rounds = context.quick ? 1 : 9;
    const results: BenchResult[] = [];

    context.log('bundle: edge-db core');
    const core = sizes(await bundleOf(`export * from './src/index.ts'`, PEERS));
    results.push({
      scenario: 'bundle',
      system: 'edge-db (core, no peers)',
      variant: 'library',
      p50_ms: null,
      p95_ms: null,
      p99_ms: null,
      ops: 0,
      values: core,
      notes: `esbuild --bundle --minify --platform=neutral, external: ${PEERS.join(', ')}; without the cache store (edge-db/cache), which only Workers that cache bundle`,
    });

    context.log('bundle: edge-db/cache entry');
    const cacheEntry = sizes(await bundleOf(`export * from './src/cache/index.ts'`, PEERS));
    results.push({
      scenario: 'bundle',
      system: 'edge-db/cache (entry, no peers)',
      variant: 'library',
      p50_ms: null,
      p95_ms: null,
      p99_ms: null,
      ops: 0,
      values: cacheEntry,
      notes: `what \`cache: isolateCache()\` adds to a Worker: the store and lru-cache (a dependency, included); same esbuild settings, external: ${PEERS.join(', ')}`,
    });

    const scripts = new Map<string, string>();
    for (const worker of WORKERS) {
      context.log(`bundle: ${worker.system}`);
      scripts.set(worker.system, await bundleOf(worker.source));
    }
    const startups = new Map<string, number[]>(WORKERS.map((w) => [w.system, []]));
    // The first workerd start of a process pays extra one-time costs: run one unmeasured.
    await startupMs(scripts.get('empty worker')!);
    for (let r = 0; r < rounds; r++) {
      // Reverse every other round so no Worker always follows the same one.
      for (const worker of r % 2 === 0 ? WORKERS : [...WORKERS].reverse()) {
        context.log(`bundle: workerd start-up ${worker.system} (${r + 1}/${rounds})`);
        startups.get(worker.system)!.push(await startupMs(scripts.get(worker.system)!));
      }
    }
    for (const worker of WORKERS) {
      const code = scripts.get(worker.system)!;
      // Start-ups are interleaved round by round: pair edge-db's with plain Kysely's over the same driver.
      const plain = WORKERS.find((w) => w.variant === worker.variant && w.system.startsWith('kysely'));
      const comparisons =
        worker.system.startsWith('edge-db') && plain !== undefined
          ? [
              ratioComparison(
                `start-up vs ${plain.system}`,
                startups.get(worker.system)!,
                startups.get(plain.system)!,
              ),
            ]
          : [];
      results.push(
        latencyRow(
          {
            scenario: 'bundle',
            system: worker.system,
            variant: worker.variant,
            values: sizes(code),
            ...(comparisons.length === 0 ? {} : { comparisons }),
            notes:
              'p50/p95/p99: miniflare start-up to the first response (workerd boot included); sizes of the whole Worker bundle',
          },
          summarize(startups.get(worker.system)!),
        ),
      );
    }
    return results;
  },
};
