import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The peer packages a CI matrix run may swap for other versions: Kysely (0.28 on Node 20, 0.29 on Node 22) and
 * the two vendor drivers (the lowest and the newest versions package.json allows).
 */
export const MATRIX_PEERS = ['kysely', '@neondatabase/serverless', '@libsql/client'] as const;

/** One swapped peer: where it is installed and which version it is. */
export interface PeerOverride {
  readonly name: (typeof MATRIX_PEERS)[number];
  /** The `npm install --prefix` directory it is installed in (absolute). */
  readonly prefix: string;
  /** The package's directory (`<prefix>/node_modules/<name>`). */
  readonly dir: string;
  readonly version: string;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The peers to resolve from `EDGE_DB_PEERS_PREFIX` (an `npm install --prefix` directory, relative to the
 * repository root or absolute) instead of the project's node_modules. Every {@link MATRIX_PEERS} package
 * installed there is swapped; the others stay. Empty when the variable is unset.
 *
 * vitest.config.ts turns these into resolve aliases and test/runtimes/support/bundle-entry.ts into esbuild
 * aliases, so both the tests and the bundles the runtime tests build use the swapped versions.
 *
 * ### Examples
 * ```sh
 * npm install --prefix .tmp/kysely029 kysely@0.29
 * EDGE_DB_PEERS_PREFIX=.tmp/kysely029 npx vitest run --project unit
 * ```
 */
export function peerOverrides(
  env: Readonly<Record<string, string | undefined>> = process.env,
): PeerOverride[] {
  const prefix = env.EDGE_DB_PEERS_PREFIX;
  if (prefix === undefined || prefix === '') return [];
  const root = resolve(REPO_ROOT, prefix);
  if (!existsSync(join(root, 'node_modules')))
    throw new Error(
      `EDGE_DB_PEERS_PREFIX=${prefix}: ${root}/node_modules does not exist; npm install --prefix it first`,
    );
  const found: PeerOverride[] = [];
  for (const name of MATRIX_PEERS) {
    const dir = join(root, 'node_modules', name);
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    found.push({ name, prefix: root, dir, version });
  }
  if (found.length === 0)
    throw new Error(`EDGE_DB_PEERS_PREFIX=${prefix} holds none of ${MATRIX_PEERS.join(', ')}`);
  return found;
}

/** The version of `name` in the project's own node_modules. */
export function installedVersion(name: string): string {
  const manifest = join(REPO_ROOT, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
