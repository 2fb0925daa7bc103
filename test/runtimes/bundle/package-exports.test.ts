import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntry, PEER_DEPENDENCIES, REPO_ROOT, RUNTIME_CONDITIONS } from '../support/bundle-entry.js';

// EDGE_DB_PACKAGE_EXPORTS=/path/to.json ({"exports": ...}) tries a proposed exports map instead of package.json's.
const packageJson = {
  ...JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')),
  ...(process.env.EDGE_DB_PACKAGE_EXPORTS
    ? JSON.parse(readFileSync(process.env.EDGE_DB_PACKAGE_EXPORTS, 'utf8'))
    : {}),
};
const hasDist = existsSync(join(REPO_ROOT, 'dist/index.js'));
if (!hasDist)
  console.warn('package exports tests not run: dist/ is missing; run `npm run build` first (npm test does).');

// The built package as a user installs it: node_modules/edge-db with the real package.json and dist/,
// resolved by esbuild with each runtime's export conditions.
describe.skipIf(!hasDist)(
  'package.json exports: each runtime gets the ESM build, edge builds import no Node built-ins',
  () => {
    let dir: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'edge-db-exports-'));
      const installed = join(dir, 'node_modules/edge-db');
      mkdirSync(installed, { recursive: true });
      writeFileSync(join(installed, 'package.json'), JSON.stringify(packageJson));
      symlinkSync(join(REPO_ROOT, 'dist'), join(installed, 'dist'), 'dir');
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const exportsMap = packageJson.exports as Record<string, Record<string, unknown>>;

    for (const subpath of ['.', './neon', './libsql'] as const) {
      it(`${subpath} names every runtime condition`, () => {
        expect(Object.keys(exportsMap[subpath] ?? {})).toEqual(
          expect.arrayContaining([
            'workerd',
            'worker',
            'edge-light',
            'deno',
            'browser',
            'node',
            'import',
            'require',
          ]),
        );
      });
      for (const [runtime, conditions] of Object.entries(RUNTIME_CONDITIONS)) {
        it(`${subpath} for ${runtime}`, async () => {
          const specifier = subpath === '.' ? 'edge-db' : `edge-db/${subpath.slice(2)}`;
          const bundle = await bundleEntry(specifier, conditions, {
            source: 'dist',
            resolveDir: dir,
            external: PEER_DEPENDENCIES,
          });
          expect(bundle.nodeImports).toEqual([]);
          expect(bundle.inputs.every((file) => !file.endsWith('.cjs'))).toBe(true);
        });
      }
    }

    it('edge-db/testing is refused to edge bundles (it starts processes)', async () => {
      const outcome = await bundleEntry('edge-db/testing', RUNTIME_CONDITIONS.workerd, {
        source: 'dist',
        resolveDir: dir,
        external: PEER_DEPENDENCIES,
      }).then(
        (bundle) => `bundled (${bundle.nodeImports.length} Node built-in imports)`,
        (error: unknown) => String(error),
      );
      expect(outcome).toMatch(/not exported|Could not resolve/);
    });
  },
);
