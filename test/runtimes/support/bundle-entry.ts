import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { peerOverrides } from '../../support/peer-overrides.js';

/** The repository root (this file lives in test/runtimes/support/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Export conditions per runtime, in the order a bundler for that runtime tries them. */
export const RUNTIME_CONDITIONS = {
  workerd: ['workerd', 'worker', 'browser'],
  'edge-light': ['edge-light', 'worker', 'browser'],
  deno: ['deno', 'worker', 'browser'],
  browser: ['browser'],
} as const satisfies Record<string, readonly string[]>;

/** The peer dependencies a user's bundler resolves from their own install. */
export const PEER_DEPENDENCIES = [
  'kysely',
  '@libsql/client',
  '@neondatabase/serverless',
  'lru-cache',
] as const;

/** `edge-db` subpaths and the source files they stand for (tests bundle the source, not dist/). */
const SOURCE_ENTRIES: Readonly<Record<string, string>> = {
  'edge-db': 'src/index.ts',
  'edge-db/cache': 'src/cache/index.ts',
  'edge-db/neon': 'src/drivers/neon/index.ts',
  'edge-db/libsql': 'src/drivers/libsql/index.ts',
  'edge-db/d1': 'src/drivers/d1/index.ts',
  'edge-db/regions': 'src/regions/index.ts',
};

const NODE_BUILTINS = new Set(builtinModules);

/** An import of a Node built-in found while bundling. */
export interface NodeImport {
  /** The specifier as written (`node:fs`, `crypto`, ...). */
  readonly path: string;
  /** The file that imports it, relative to the repository root. */
  readonly importer: string;
}

/** Options of {@link bundleEntry}. */
export interface BundleEntryOptions {
  /** @default 'neutral' */
  readonly platform?: 'neutral' | 'browser' | 'node';
  /** @default false */
  readonly minify?: boolean;
  /** Packages left out of the bundle (and their subpaths). @default [] */
  readonly external?: readonly string[];
  /** `src` bundles edge-db from its TypeScript sources, `dist` from the built package (run `npm run build`). @default 'src' */
  readonly source?: 'src' | 'dist';
  /** Directory bare specifiers (and a package-specifier `entry`) resolve from. @default the repository root */
  readonly resolveDir?: string;
  /** `esm`, or `iife` for runtimes that evaluate a script (edge-runtime's `initialCode`). @default 'esm' */
  readonly format?: 'esm' | 'iife';
  /** Replacements of global expressions, as esbuild's `define` (`{ 'process.env.X': '"value"' }`). */
  readonly define?: Readonly<Record<string, string>>;
  /** More esbuild plugins, run after edge-db's own resolution plugins and before the built-in recorder. */
  readonly plugins?: readonly Plugin[];
}

/** What {@link bundleEntry} produced. */
export interface BundleEntryResult {
  /** The bundle, an ES module. */
  readonly code: string;
  /** Size of `code` in bytes. */
  readonly bytes: number;
  /** Size of `code` gzipped (level 9), in bytes. */
  readonly gzipBytes: number;
  /** Imports of Node built-ins (left external, never bundled). Empty for a clean edge bundle. */
  readonly nodeImports: readonly NodeImport[];
  /** Files that went into the bundle, relative to the repository root. */
  readonly inputs: readonly string[];
}

/**
 * Bundles one entry into a single ES module with esbuild, as a user's bundler would for a runtime with the
 * given export `conditions`, and reports its size and every Node built-in it imports.
 *
 * `entry` is a package specifier (`edge-db`, `edge-db/neon`, `edge-db/libsql`, or any installed package)
 * or a file path (absolute, or relative to the repository root). `edge-db` specifiers resolve to `src/` by
 * default, so no build is needed.
 *
 * ### Examples
 * ```ts
 * const worker = await bundleEntry('edge-db/neon', RUNTIME_CONDITIONS.workerd, { minify: true })
 * console.log(worker.bytes, worker.gzipBytes, worker.nodeImports) // [] when edge-clean
 * const core = await bundleEntry('edge-db', ['workerd'], { minify: true, external: PEER_DEPENDENCIES })
 * ```
 */
export async function bundleEntry(
  entry: string,
  conditions: readonly string[],
  options: BundleEntryOptions = {},
): Promise<BundleEntryResult> {
  const nodeImports: NodeImport[] = [];
  const external = options.external ?? [];
  const platform = options.platform ?? 'neutral';
  const isFile = entry.startsWith('.') || entry.startsWith('/') || /\.[cm]?[jt]sx?$/.test(entry);
  const result = await build({
    ...(isFile
      ? { entryPoints: [resolve(REPO_ROOT, entry)] }
      : {
          stdin: {
            contents: `export * from ${JSON.stringify(entry)};`,
            resolveDir: options.resolveDir ?? REPO_ROOT,
            loader: 'ts',
          },
        }),
    bundle: true,
    write: false,
    format: options.format ?? 'esm',
    ...(options.define === undefined ? {} : { define: { ...options.define } }),
    platform,
    target: 'es2022',
    conditions: [...conditions],
    mainFields: platform === 'node' ? ['module', 'main'] : ['browser', 'module', 'main'],
    minify: options.minify ?? false,
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
    absWorkingDir: REPO_ROOT,
    plugins: [
      edgeDbSourcePlugin(options.source ?? 'src'),
      externalPackagesPlugin(external),
      peerOverridePlugin(),
      ...(options.plugins ?? []),
      ...(platform === 'node' ? [] : [nodeBuiltinRecorder(nodeImports)]),
    ],
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  const code = file.text;
  return {
    code,
    bytes: file.contents.byteLength,
    gzipBytes: gzipSync(file.contents, { level: 9 }).byteLength,
    nodeImports,
    inputs: Object.keys(result.metafile.inputs),
  };
}

/** Resolves `edge-db`, `edge-db/cache`, `edge-db/regions`, `edge-db/neon`, `edge-db/libsql` to the sources (or leaves them to package exports). */
function edgeDbSourcePlugin(source: 'src' | 'dist'): Plugin {
  return {
    name: 'edge-db-source',
    setup(builder) {
      if (source === 'dist') return;
      builder.onResolve({ filter: /^edge-db(\/(cache|regions|neon|libsql|d1))?$/ }, (args) => {
        const file = SOURCE_ENTRIES[args.path];
        return file === undefined ? undefined : { path: resolve(REPO_ROOT, file) };
      });
    },
  };
}

/** The version matrix's swapped peers (EDGE_DB_PEERS_PREFIX, see vitest.config.ts) go into bundles too. */
function peerOverridePlugin(): Plugin {
  const overrides = peerOverrides();
  return {
    name: 'peer-overrides',
    setup(builder) {
      if (overrides.length === 0) return;
      builder.onResolve({ filter: /^[@a-z]/ }, async (args) => {
        const peer = overrides.find((p) => args.path === p.name || args.path.startsWith(`${p.name}/`));
        if (peer === undefined || args.pluginData === 'peer-override') return undefined;
        // Resolving from inside the prefix's copy finds that copy (with its exports and conditions).
        const found = await builder.resolve(args.path, {
          kind: args.kind,
          resolveDir: peer.dir,
          pluginData: 'peer-override',
        });
        return found.errors.length > 0
          ? { errors: found.errors }
          : { path: found.path, external: found.external };
      });
    },
  };
}

function externalPackagesPlugin(external: readonly string[]): Plugin {
  return {
    name: 'external-packages',
    setup(builder) {
      if (external.length === 0) return;
      builder.onResolve({ filter: /^[^./]/ }, (args) => {
        const isExternal = external.some((name) => args.path === name || args.path.startsWith(`${name}/`));
        return isExternal ? { path: args.path, external: true } : undefined;
      });
    },
  };
}

/** Records imports of Node built-ins and keeps them out of the bundle, so one build lists them all. */
function nodeBuiltinRecorder(found: NodeImport[]): Plugin {
  return {
    name: 'node-builtin-recorder',
    setup(builder) {
      builder.onResolve({ filter: /^[a-z_:]/ }, (args) => {
        const bare = args.path.startsWith('node:') ? args.path.slice(5) : args.path;
        const isBuiltin =
          args.path.startsWith('node:') ||
          NODE_BUILTINS.has(bare) ||
          NODE_BUILTINS.has(bare.split('/')[0] ?? '');
        if (!isBuiltin) return undefined;
        found.push({ path: args.path, importer: relativeToRoot(args.importer) });
        return { path: args.path, external: true };
      });
    },
  };
}

function relativeToRoot(file: string): string {
  return file.startsWith(REPO_ROOT) ? file.slice(REPO_ROOT.length + 1) : file || '<entry>';
}
