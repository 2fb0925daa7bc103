import { beforeAll, describe, expect, it } from 'vitest';
import { extractCodeBlocks } from '../../../scripts/doc-blocks/extract-code-blocks.js';
import type { DocBlockProblem } from '../../../scripts/doc-blocks/type-check-doc-blocks.js';
import { formatProblem, typeCheckDocBlocks } from '../../../scripts/doc-blocks/type-check-doc-blocks.js';

const root = new URL('../../..', import.meta.url).pathname;

const markdown = [
  '# A guide', // 1
  '', // 2
  '```ts', // 3
  "import { edgeDb } from 'edge-db'", // 4
  "import { neon } from 'edge-db/neon'", // 5
  "const db = edgeDb<Database>({ primary: neon({ url: env.PRIMARY_URL, region: 'aws-us-east-2' }) })", // 6
  "await db.selectFrom('post').selectAll().execute()", // 7
  '```', // 8
  '', // 9
  '- a list item:', // 10
  '', // 11
  '  ```typescript', // 12
  "  import { QueryCache } from 'edge-db'", // 13
  '  ```', // 14
  '', // 15
  '```ts ignore', // 16
  'const half = ', // 17
  '```', // 18
  '', // 19
  '```sh', // 20
  'npm test', // 21
  '```', // 22
  '', // 23
  '````ts', // 24
  "db.selectFrom('no_such_table')", // 25
  '```', // 26
  '````', // 27
].join('\n');

describe('extractCodeBlocks', () => {
  it('finds TypeScript blocks with their Markdown lines, indentation and ignore flag, and skips other languages', () => {
    const blocks = extractCodeBlocks(markdown, 'docs/guide.md');
    expect(blocks.map(({ line, indent, ignored }) => ({ line, indent, ignored }))).toEqual([
      { line: 4, indent: 0, ignored: false },
      { line: 13, indent: 2, ignored: false },
      { line: 17, indent: 0, ignored: true },
      { line: 25, indent: 0, ignored: false },
    ]);
    expect(blocks[1]?.code).toBe("import { QueryCache } from 'edge-db'");
    // A longer fence holds a shorter one as text.
    expect(blocks[3]?.code).toBe("db.selectFrom('no_such_table')\n```");
  });
});

describe('typeCheckDocBlocks', () => {
  // A compiler program loads edge-db's sources: seconds on a busy 2-core machine, so allow for it.
  const COMPILE_TIMEOUT_MS = 120_000;
  let problems: DocBlockProblem[] = [];
  beforeAll(() => {
    problems = typeCheckDocBlocks(extractCodeBlocks(markdown, 'docs/guide.md'), { root });
  }, COMPILE_TIMEOUT_MS);

  it('reports an import of an export that does not exist, at its Markdown line and column', () => {
    const missing = problems.find((problem) => problem.code === 'TS2305');
    expect(missing).toMatchObject({ file: 'docs/guide.md', line: 13, column: 12 });
    expect(missing?.message).toContain('QueryCache');
  });

  it('checks types against the sources (an unknown table is an error) and skips blocks marked ignore', () => {
    expect(problems.some((problem) => problem.line === 25 && problem.message.includes('no_such_table'))).toBe(
      true,
    );
    expect(problems.filter((problem) => problem.line <= 8 || problem.line === 17)).toEqual([]);
    expect(formatProblem(problems[0]!)).toMatch(/^docs\/guide\.md:\d+:\d+ - error TS\d+: /);
  });

  it(
    'rejects imports that only work inside this repository (relative paths, src/)',
    () => {
      const relative = [
        '```ts',
        "import { edgeDb } from '../src/index.js'",
        "import { neon } from 'edge-db/neon'",
        "export { route } from 'edge-db/src/router/plan/route-hint.js'",
        '```',
      ].join('\n');
      const found = typeCheckDocBlocks(extractCodeBlocks(relative, 'docs/relative.md'), { root }).filter(
        (problem) => problem.code === 'PUBLIC-IMPORT',
      );
      expect(found.map(({ line, column }) => ({ line, column }))).toEqual([
        { line: 2, column: 24 },
        { line: 4, column: 23 },
      ]);
    },
    COMPILE_TIMEOUT_MS,
  );

  it(
    'checks each block as its own module: blocks may declare the same names as each other and the prelude',
    () => {
      const twice = [
        '```ts',
        "const db = 'one'",
        'export const name = db',
        '```',
        '',
        '```ts',
        'const db = 2',
        '```',
      ].join('\n');
      expect(typeCheckDocBlocks(extractCodeBlocks(twice, 'docs/twice.md'), { root })).toEqual([]);
    },
    COMPILE_TIMEOUT_MS,
  );
});
