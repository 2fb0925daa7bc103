/** One fenced TypeScript block of a Markdown file. */
export interface CodeBlock {
  /** The Markdown file, relative to the repository root (`docs/routing.md`). */
  readonly file: string;
  /** 1-based line of the block's first code line (the line after the opening fence). */
  readonly line: number;
  /** Columns of indentation removed from each line (the fence's, inside list items). */
  readonly indent: number;
  /** The code, without the fences and without the fence's indentation. */
  readonly code: string;
  /** `true` for blocks marked ```` ```ts ignore ````: deliberate fragments, not type-checked. */
  readonly ignored: boolean;
}

const TYPESCRIPT_LANGUAGES = new Set(['ts', 'typescript']);
// A fence: up to 3 spaces of indentation in CommonMark, but list items indent further, so any indentation.
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/;

/**
 * Finds every ```` ```ts ```` / ```` ```typescript ```` block of a Markdown text, with its position, so a checker
 * can report problems at the line of the Markdown source. Other languages are skipped.
 *
 * ### Examples
 * ```ts ignore
 * extractCodeBlocks('```ts\nconst a = 1\n```\n', 'docs/x.md') // [{ file: 'docs/x.md', line: 2, indent: 0, code: 'const a = 1', ignored: false }]
 * ```
 */
export function extractCodeBlocks(markdown: string, file: string): CodeBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  let open: { fence: string; indent: number; language: string; flags: string; start: number } | undefined;
  let body: string[] = [];
  for (const [index, text] of lines.entries()) {
    const fence = FENCE.exec(text);
    if (open === undefined) {
      if (fence === null) continue;
      const [, indent = '', marks = '', language = '', flags = ''] = fence;
      open = {
        fence: marks,
        indent: indent.length,
        language: language.toLowerCase(),
        flags,
        start: index + 2,
      };
      body = [];
      continue;
    }
    // A closing fence uses the same character, at least as many of them, and nothing after it.
    const closes =
      fence !== null &&
      fence[2]?.[0] === open.fence[0] &&
      (fence[2]?.length ?? 0) >= open.fence.length &&
      fence[3] === '' &&
      fence[4] === '';
    if (!closes) {
      body.push(text.slice(Math.min(open.indent, text.length - text.trimStart().length)));
      continue;
    }
    if (TYPESCRIPT_LANGUAGES.has(open.language)) {
      blocks.push({
        file,
        line: open.start,
        indent: open.indent,
        code: body.join('\n'),
        ignored: open.flags.split(/\s+/).includes('ignore'),
      });
    }
    open = undefined;
  }
  return blocks;
}
