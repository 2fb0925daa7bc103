import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type CodeBlock, extractCodeBlocks } from './extract-code-blocks.js';

/** The TypeScript blocks of `README.md` and `docs/*.md` under `root`, in a stable order. */
export function collectDocBlocks(root: string): CodeBlock[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join(root, 'docs', name));
  return [join(root, 'README.md'), ...docs].flatMap((path) =>
    extractCodeBlocks(readFileSync(path, 'utf8'), relative(root, path)),
  );
}
