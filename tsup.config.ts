import { defineConfig, type Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];
type TsupPlugin = NonNullable<Options['plugins']>[number];

/**
 * The integrations (edge-db/hono, edge-db/opentelemetry) import the core as `../../index.js`. Bundling it would
 * give them a second copy of the router, whose instances the core's `consistencyToken`, `route` or
 * `invalidateCache` would not recognise: keep it an import of the built core entry.
 */
const coreStaysExternal: EsbuildPlugin = {
  name: 'core-stays-external',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/\.\.\/index\.js$/ }, (args) =>
      /[\\/]src[\\/]integrations[\\/][^\\/]+[\\/][^\\/]+$/.test(args.importer)
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

/** tsup makes CommonJS from esbuild's ESM output (treeshake), so the CommonJS integrations get the core's `.cjs`. */
const coreOfSameFormat: TsupPlugin = {
  name: 'core-of-same-format',
  renderChunk(code, info) {
    if (this.format !== 'cjs' || !/[\\/]integrations[\\/]/.test(info.path)) return undefined;
    return { code: code.replace(/(["'])\.\.\/\.\.\/index\.js\1/g, '$1../../index.cjs$1') };
  },
};

const shared: Options = {
  entry: {
    index: 'src/index.ts',
    // The isolate cache's store and lru-cache: only Workers that cache bundle them.
    'cache/index': 'src/cache/index.ts',
    'drivers/neon/index': 'src/drivers/neon/index.ts',
    'drivers/libsql/index': 'src/drivers/libsql/index.ts',
    'drivers/d1/index': 'src/drivers/d1/index.ts',
    'regions/index': 'src/regions/index.ts',
    'testing/index': 'src/testing/index.ts',
    'integrations/hono/index': 'src/integrations/hono/index.ts',
    'integrations/opentelemetry/index': 'src/integrations/opentelemetry/index.ts',
    // Spawned as a child process by startLibsqlCluster (libSQL's embedded-replica sync blocks its thread).
    'testing/libsql/replica-entry': 'src/testing/libsql/replica-entry.ts',
  },
  dts: {
    entry: [
      'src/index.ts',
      'src/cache/index.ts',
      'src/drivers/neon/index.ts',
      'src/drivers/libsql/index.ts',
      'src/drivers/d1/index.ts',
      'src/regions/index.ts',
      'src/testing/index.ts',
      'src/integrations/hono/index.ts',
      'src/integrations/opentelemetry/index.ts',
    ],
  },
  // No source maps in the package: they were 1.96 MB of its 2.9 MB unpacked, and the ESM/CJS output is
  // unminified, so stack traces already point at readable code.
  sourcemap: false,
  // `npm run build` empties dist/ first: three builds write into it side by side.
  clean: false,
  target: 'es2022',
  treeshake: true,
  shims: true,
  esbuildPlugins: [coreStaysExternal],
  plugins: [coreOfSameFormat],
  external: [
    'kysely',
    '@libsql/client',
    '@neondatabase/serverless',
    'libsql',
    'pg',
    'ws',
    'lru-cache',
    'testcontainers',
  ],
};

const EDGE_ENTRIES = [
  'index',
  'cache/index',
  'drivers/neon/index',
  'drivers/libsql/index',
  'drivers/d1/index',
  'regions/index',
  'integrations/hono/index',
  'integrations/opentelemetry/index',
];
const entries = shared.entry as Record<string, string>;
const pick = (keep: (name: string) => boolean) =>
  Object.fromEntries(Object.entries(entries).filter(([name]) => keep(name)));

export default defineConfig([
  // ESM edge entries share chunks, so an app importing edge-db and edge-db/neon gets one copy of the SQL analysis
  // (and of its isolate-wide memo), not one per entry. No shims: they would become a chunk importing `path`.
  { ...shared, entry: pick((name) => EDGE_ENTRIES.includes(name)), format: 'esm', splitting: true, shims: false },
  // edge-db/testing (Node only) finds its files through `__filename`/`import.meta.url`: one file per entry.
  // Its declarations come with the first build's (dts covers every entry).
  { ...shared, entry: pick((name) => !EDGE_ENTRIES.includes(name)), format: 'esm', splitting: false, dts: false },
  // CommonJS (Node's require): one file per entry, as esbuild cannot split CommonJS.
  { ...shared, format: 'cjs', splitting: false },
]);
