import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/bundle-entry.js';

const DOC = 'docs/node-postgres.md';

// What @cloudflare/workers-types (or `wrangler types`) declares for a Worker and that the doc's blocks use. Kept
// here, not in a .d.ts under test/, so these globals do not leak into the project's own type-check.
const WORKERS_GLOBALS = `
interface Hyperdrive {
  readonly connectionString: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}
`;

/** The ```ts blocks of a Markdown text, in order. */
function typescriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
}

// Every TypeScript block of the guide must compile against the public API (`edge-db` resolves to src/index.ts
// through tsconfig's paths), with the project's strict settings.
describe(`${DOC} code blocks`, () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('type-check against edge-db', { timeout: 180_000 }, async () => {
    const blocks = typescriptBlocks(await readFile(join(REPO_ROOT, DOC), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    // Inside the repository (git-ignored .tmp/), so the blocks resolve `pg` and `kysely` from node_modules.
    await mkdir(join(REPO_ROOT, '.tmp'), { recursive: true });
    dir = await mkdtemp(join(REPO_ROOT, '.tmp', 'docs-node-postgres-'));
    const files = await Promise.all(
      blocks.map(async (code, i) => {
        const file = join(dir!, `block-${i + 1}.ts`);
        await writeFile(file, code);
        return file;
      }),
    );
    const globals = join(dir, 'workers-globals.d.ts');
    await writeFile(globals, WORKERS_GLOBALS);

    const configFile = ts.readConfigFile(join(REPO_ROOT, 'tsconfig.json'), ts.sys.readFile);
    const config = ts.parseJsonConfigFileContent(configFile.config, ts.sys, REPO_ROOT);
    const program = ts.createProgram([...files, globals], { ...config.options, noEmit: true });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || files.includes(d.file.fileName))
      .map((d) => {
        const where =
          d.file === undefined || d.start === undefined
            ? ''
            : `${d.file.fileName.slice(dir!.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: `;
        return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
      });
    expect(problems).toEqual([]);
  });
});
