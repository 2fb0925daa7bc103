import { join } from 'node:path';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { peerOverrides } from './test/support/peer-overrides.js';

// CI's version matrix (`npm run test:kysely029`, `npm run test:peers`): EDGE_DB_PEERS_PREFIX names an
// `npm install --prefix` directory whose kysely / @neondatabase/serverless / @libsql/client replace the
// project's own, for the tests and everything they import.
const overrides = peerOverrides();
if (overrides.length > 0)
  console.log(`peer overrides: ${overrides.map((peer) => `${peer.name}@${peer.version}`).join(', ')}`);

/** Resolves each overridden peer (and its subpaths) as if it were imported from inside its prefix. */
function peerOverridePlugin(): Plugin {
  return {
    name: 'edge-db-peer-overrides',
    enforce: 'pre',
    async resolveId(source, _importer, options) {
      const peer = overrides.find((p) => source === p.name || source.startsWith(`${p.name}/`));
      if (peer === undefined) return null;
      // Resolved from a file of the prefix's copy, Vite's own resolver (exports, conditions) finds that copy.
      return this.resolve(source, join(peer.dir, 'package.json'), { ...options, skipSelf: true });
    },
  };
}

export default defineConfig({
  plugins: overrides.length > 0 ? [peerOverridePlugin()] : [],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Clusters are real processes on a 2-core machine: run integration files one at a time.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'runtimes',
          include: ['test/runtimes/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
