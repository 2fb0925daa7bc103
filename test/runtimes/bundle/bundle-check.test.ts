import { describe, expect, it } from 'vitest';
import { bundleEntry, PEER_DEPENDENCIES, RUNTIME_CONDITIONS } from '../support/bundle-entry.js';

const EDGE_ENTRIES = [
  'edge-db',
  'edge-db/cache',
  'edge-db/regions',
  'edge-db/neon',
  'edge-db/libsql',
] as const;

// Each edge entry point bundled as a user's bundler would for each edge runtime: first edge-db alone (peers
// left to the user's install), then with its peers, as a Worker ships it. Any Node built-in fails the check.
describe('bundle check: edge entry points import no Node built-ins', () => {
  for (const [runtime, conditions] of Object.entries(RUNTIME_CONDITIONS)) {
    for (const entry of EDGE_ENTRIES) {
      it(`${entry} for ${runtime}, edge-db alone`, async () => {
        const bundle = await bundleEntry(entry, conditions, { external: PEER_DEPENDENCIES });
        expect(bundle.nodeImports).toEqual([]);
        expect(bundle.inputs.some((file) => file.startsWith('src/'))).toBe(true);
      });
      it(`${entry} for ${runtime}, with its drivers`, async () => {
        const bundle = await bundleEntry(entry, conditions);
        expect(bundle.nodeImports).toEqual([]);
        // The cache entry uses Kysely's types only; its dependency is lru-cache. The region table has none.
        const dependency =
          entry === 'edge-db/cache'
            ? 'node_modules/lru-cache/'
            : entry === 'edge-db/regions'
              ? undefined
              : 'node_modules/kysely/';
        if (dependency !== undefined)
          expect(bundle.inputs.some((file) => file.includes(dependency))).toBe(true);
        else expect(bundle.inputs.filter((file) => file.includes('node_modules/'))).toEqual([]);
      });
    }
  }

  it('the Worker bundle of each driver pulls in no other vendor SDK', async () => {
    const neonBundle = await bundleEntry('edge-db/neon', RUNTIME_CONDITIONS.workerd);
    const libsqlBundle = await bundleEntry('edge-db/libsql', RUNTIME_CONDITIONS.workerd);
    expect(neonBundle.inputs.filter((file) => file.includes('node_modules/@libsql/'))).toEqual([]);
    expect(libsqlBundle.inputs.filter((file) => file.includes('node_modules/@neondatabase/'))).toEqual([]);
  });

  it('fails an entry that imports node:fs, naming the importer', async () => {
    const bundle = await bundleEntry('test/runtimes/fixtures/imports-node-fs.ts', RUNTIME_CONDITIONS.workerd);
    expect(bundle.nodeImports).toEqual([
      { path: 'node:fs', importer: 'test/runtimes/fixtures/imports-node-fs.ts' },
    ]);
  });

  it('fails an entry that imports a bare built-in (crypto) through another module', async () => {
    const bundle = await bundleEntry(
      'test/runtimes/fixtures/imports-bare-builtin.ts',
      RUNTIME_CONDITIONS['edge-light'],
    );
    expect(bundle.nodeImports).toEqual([
      { path: 'crypto', importer: 'test/runtimes/fixtures/bare-builtin-helper.ts' },
    ]);
  });
});
