import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { installedVersion, MATRIX_PEERS, peerOverrides } from '../../support/peer-overrides.js';
import { bundleEntry, REPO_ROOT, RUNTIME_CONDITIONS } from '../support/bundle-entry.js';

const overrides = peerOverrides();

/** The ES module entry of an installed package for Node (`exports` with `node`/`import`, or `module`/`main`). */
function esmEntry(dir: string): string {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  let target: unknown = manifest.exports?.['.'] ?? manifest.exports;
  while (target !== null && typeof target === 'object') {
    const conditions = target as Record<string, unknown>;
    target = conditions.node ?? conditions.import ?? conditions.default;
  }
  return join(dir, typeof target === 'string' ? target : (manifest.module ?? manifest.main));
}

// The version matrix must really swap the peers: a matrix run whose imports still reached the project's own
// node_modules would pass while testing nothing new. EDGE_DB_PEERS_PREFIX drives it (see vitest.config.ts).
describe('peer versions under test', () => {
  it(`names what this run resolves (${overrides.map((p) => `${p.name}@${p.version}`).join(', ') || 'the project install'})`, () => {
    const swapped = new Set(overrides.map((peer) => peer.name));
    const kept = MATRIX_PEERS.filter((name) => !swapped.has(name));
    console.log(
      [
        ...overrides.map((peer) => `${peer.name}@${peer.version} from ${peer.prefix}`),
        ...kept.map((name) => `${name}@${installedVersion(name)} from node_modules`),
      ].join('\n'),
    );
    if (process.env.EDGE_DB_PEERS_PREFIX) expect(overrides.length).toBeGreaterThan(0);
    else expect(overrides).toEqual([]);
  });

  for (const peer of overrides) {
    it(`imports ${peer.name} from the prefix (${peer.version}), not from node_modules`, async () => {
      const viaSpecifier = await import(/* @vite-ignore */ peer.name);
      const fromPrefix = await import(/* @vite-ignore */ pathToFileURL(esmEntry(peer.dir)).href);
      expect(viaSpecifier).toBe(fromPrefix);
    });
    it(`bundles ${peer.name} from the prefix for workerd (what the runtime tests run)`, async () => {
      const bundle = await bundleEntry(peer.name, RUNTIME_CONDITIONS.workerd);
      const own = bundle.inputs.filter((file) => file.startsWith(`node_modules/${peer.name}/`));
      const swapped = bundle.inputs.filter((file) => join(REPO_ROOT, file).startsWith(`${peer.dir}/`));
      expect(own).toEqual([]);
      expect(swapped.length).toBeGreaterThan(0);
    });
  }

  // `npm run test:kysely029` sets EDGE_DB_EXPECT_KYSELY=0.29.: the run fails if it resolved another Kysely.
  const expectedKysely = process.env.EDGE_DB_EXPECT_KYSELY;
  if (expectedKysely !== undefined)
    it(`resolves Kysely ${expectedKysely}x`, async () => {
      const kysely = overrides.find((peer) => peer.name === 'kysely')?.version ?? installedVersion('kysely');
      expect(kysely.startsWith(expectedKysely), kysely).toBe(true);
      const { Kysely } = await import('kysely');
      const fromPrefix = overrides.find((peer) => peer.name === 'kysely');
      if (fromPrefix !== undefined)
        expect(Kysely).toBe((await import(pathToFileURL(esmEntry(fromPrefix.dir)).href)).Kysely);
    });
});
