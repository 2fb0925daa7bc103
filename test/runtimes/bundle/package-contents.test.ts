import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/bundle-entry.js';

const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
const hasDist = existsSync(join(REPO_ROOT, 'dist/index.js'));
if (!hasDist)
  console.warn(
    'package contents tests not run: dist/ is missing; run `npm run build` first (npm test does).',
  );

/** What `npm pack` would publish: file paths and sizes, as npm computes them. */
function packList(): { files: { path: string; size: number }[]; unpackedSize: number } {
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(json)[0];
}

/** Every file an `exports` condition points at. */
function exportTargets(node: unknown): string[] {
  if (typeof node === 'string') return node.startsWith('./') ? [node.slice(2)] : [];
  if (node === null || typeof node !== 'object') return [];
  return Object.values(node).flatMap(exportTargets);
}

// What a user gets from npm: the builds every export names, the licence, a README whose links work on npmjs.com,
// no source maps or unused builds, and peer ranges that stop at the majors the CI matrix tests.
describe.skipIf(!hasDist)('the published package', () => {
  const pack = hasDist ? packList() : { files: [], unpackedSize: 0 };
  const paths = new Set(pack.files.map((file) => file.path));

  it('holds every file package.json exports, LICENSE and README.md', () => {
    const targets = [...new Set(exportTargets(packageJson.exports))].filter((t) => t !== 'package.json');
    expect(targets.length).toBeGreaterThan(10);
    expect(targets.filter((target) => !paths.has(target))).toEqual([]);
    expect(paths.has('LICENSE')).toBe(true);
    expect(paths.has('README.md')).toBe(true);
    // startLibsqlCluster spawns the replica process from the ESM build; the CJS twin is dead weight.
    expect(paths.has('dist/testing/libsql/replica-entry.js')).toBe(true);
  });

  it('ships no source maps, no CommonJS replica entry and stays under 1.5 MB unpacked', () => {
    expect([...paths].filter((path) => path.endsWith('.map'))).toEqual([]);
    expect(paths.has('dist/testing/libsql/replica-entry.cjs')).toBe(false);
    console.log(`npm pack: ${pack.files.length} files, ${pack.unpackedSize} bytes unpacked`);
    expect(pack.unpackedSize).toBeLessThan(1_500_000);
  });

  it('says where it lives: repository, homepage, bugs, MIT licence', () => {
    expect(packageJson.repository).toMatchObject({ url: 'git+https://github.com/edge-db/edge-db.git' });
    expect(packageJson.homepage).toMatch(/^https:\/\/github\.com\/edge-db\/edge-db/);
    expect(packageJson.bugs?.url).toBe('https://github.com/edge-db/edge-db/issues');
    expect(packageJson.license).toBe('MIT');
    expect(readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8')).toContain('edge-db contributors');
  });

  it("links README's guides to the repository (npm has no docs/ folder), to docs that exist", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('## Guides');
    const end = readme.indexOf('\n## ', start + 1);
    const targets = [...readme.slice(start, end).matchAll(/\]\(([^)]+)\)/g)].map((match) => match[1] ?? '');
    expect(targets.length).toBeGreaterThan(5);
    const base = 'https://github.com/edge-db/edge-db/blob/main/';
    expect(targets.filter((target) => !target.startsWith(base))).toEqual([]);
    expect(targets.filter((target) => !existsSync(join(REPO_ROOT, target.slice(base.length))))).toEqual([]);
  });

  it('bounds every peer range above (a new major of a driver must be tested before it is allowed)', () => {
    const open = Object.entries(packageJson.peerDependencies as Record<string, string>).filter(([, range]) =>
      range.split('||').some((part) => /^\s*>=?[^<]*$/.test(part)),
    );
    expect(open).toEqual([]);
  });
});
