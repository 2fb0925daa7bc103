import { resolve } from 'node:path';
import { collectDocBlocks } from './doc-blocks/collect-doc-blocks.js';
import { formatProblem, typeCheckDocBlocks } from './doc-blocks/type-check-doc-blocks.js';

// `npm run check:docs [root]`: type-checks every ```ts block of README.md and docs/*.md against the project's
// sources (`edge-db*` imports map to `src/` through tsconfig's `paths`). Prints each problem as
// `file:line:column` and exits 1 when there is one. Mark a deliberate fragment ```ts ignore and say why next to
// it in the Markdown.
const root = resolve(process.argv[2] ?? '.');
const started = performance.now();
const blocks = collectDocBlocks(root);
const problems = typeCheckDocBlocks(blocks, { root });
const checked = blocks.filter((block) => !block.ignored).length;
const summary = `${checked} TypeScript blocks checked, ${blocks.length - checked} marked ignore, in ${(
  (performance.now() - started) / 1000
).toFixed(1)} s`;
for (const problem of problems) console.error(formatProblem(problem));
if (problems.length > 0) {
  console.error(`check:docs: ${problems.length} problem(s); ${summary}`);
  process.exitCode = 1;
} else {
  console.log(`check:docs: ok; ${summary}`);
}
