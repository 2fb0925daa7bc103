import { mkdir, mkdtemp } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

type Core = typeof import('../../src/index.js');
type Cache = typeof import('../../src/cache/index.js');

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PEERS = ['kysely', 'lru-cache', '@libsql/client', '@neondatabase/serverless', 'libsql', 'pg', 'ws'];

let built: Promise<{ core: Core; cache: Cache }> | undefined;

/**
 * edge-db's core and cache entries compiled as the package ships them (esbuild through tsup: ES2022, no
 * `keepNames`), for the CPU scenarios. The bench itself runs under tsx, whose esbuild transform keeps function
 * names: every closure created on a hot path then pays an `Object.defineProperty`, a cost users never see and
 * Kysely (loaded from node_modules) does not pay either. Built once per bench run, into a folder under `.tmp/`.
 */
export function builtEdgeDb(): Promise<{ core: Core; cache: Cache }> {
  built ??= (async () => {
    // Inside the checkout, so the bundle's imports of Kysely and lru-cache resolve to its node_modules.
    await mkdir(join(ROOT, '.tmp'), { recursive: true });
    const dir = await mkdtemp(join(ROOT, '.tmp', 'bench-build-'));
    const result = await build({
      entryPoints: { core: join(ROOT, 'src/index.ts'), cache: join(ROOT, 'src/cache/index.ts') },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'es2022',
      splitting: true,
      external: PEERS,
      outdir: dir,
      logLevel: 'silent',
    });
    if (result.errors.length > 0)
      throw new Error(`edge-db bench: building edge-db failed: ${result.errors[0]?.text}`);
    const load = (name: string) => import(pathToFileURL(join(dir, `${name}.js`)).href);
    return { core: (await load('core')) as Core, cache: (await load('cache')) as Cache };
  })();
  return built;
}
