import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleEntry, PEER_DEPENDENCIES, REPO_ROOT, RUNTIME_CONDITIONS } from '../support/bundle-entry.js';

const EXAMPLE = join(REPO_ROOT, 'examples/vercel-edge');
const ROUTE = 'app/api/guestbook/[...path]/route.ts';

/** The copy's text without its two-line provenance header and with `.js` import suffixes dropped. */
function normalized(text: string): string {
  return text.replace(/^(\/\/[^\n]*\n){2}/, '').replace(/from '(\.[^']*)\.js'/g, "from '$1'");
}

// The Next.js example is meant to be copied into an app, so nothing in it may reach outside its folder
// (it used to import ../../../../../shared/guestbook.js). Its lib/ is a copy of examples/shared/, kept equal here.
describe('examples/vercel-edge is self-contained', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'edge-db-vercel-copy-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('bundles from a copy of its folder outside the repository', async () => {
    const copy = join(scratch, 'app-root');
    cpSync(EXAMPLE, copy, { recursive: true });
    const bundle = await bundleEntry(join(copy, ROUTE), RUNTIME_CONDITIONS['edge-light'], {
      external: PEER_DEPENDENCIES,
    });
    const exampleInputs = bundle.inputs.filter((file) => !file.startsWith('src/'));
    expect(exampleInputs.length).toBeGreaterThanOrEqual(3);
    // Everything but edge-db itself comes from the copied folder.
    expect(
      exampleInputs.filter((file) => !join(REPO_ROOT, file).startsWith(copy) && !file.startsWith(copy)),
    ).toEqual([]);
    expect(bundle.nodeImports).toEqual([]);
  });

  it('keeps lib/ equal to examples/shared/', () => {
    const files = readdirSync(join(EXAMPLE, 'lib')).sort();
    expect(files).toEqual(readdirSync(join(REPO_ROOT, 'examples/shared')).sort());
    for (const file of files) {
      const copy = readFileSync(join(EXAMPLE, 'lib', file), 'utf8');
      const original = readFileSync(join(REPO_ROOT, 'examples/shared', file), 'utf8');
      expect(normalized(copy), `${relative(REPO_ROOT, join(EXAMPLE, 'lib', file))} drifted`).toBe(
        normalized(original),
      );
    }
  });
});
