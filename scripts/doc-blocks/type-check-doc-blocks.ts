import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { CodeBlock } from './extract-code-blocks.js';

/** A type error in a documentation block, at its position in the Markdown source. */
export interface DocBlockProblem {
  readonly file: string;
  /** 1-based line and column in the Markdown file. */
  readonly line: number;
  readonly column: number;
  /** `TS2305` and the like. */
  readonly code: string;
  readonly message: string;
}

/** Options of {@link typeCheckDocBlocks}. */
export interface TypeCheckDocBlocksOptions {
  /** The repository root: its `tsconfig.json` gives the compiler options and the `edge-db*` paths. */
  readonly root: string;
  /** Declarations every block may use. @default scripts/doc-blocks/doc-prelude.d.ts */
  readonly preludeFile?: string;
}

const DEFAULT_PRELUDE = join(dirname(fileURLToPath(import.meta.url)), 'doc-prelude.d.ts');

/**
 * Type-checks documentation blocks as TypeScript modules in ONE compiler program (fast: the sources behind
 * `edge-db`, `edge-db/neon`, `edge-db/libsql` and `edge-db/testing` are loaded once), with the repository's
 * strict compiler options and a shared prelude. Blocks marked `ignore` are skipped. Returns the problems,
 * positioned in the Markdown files; an empty array means every block type-checks.
 *
 * ### Examples
 * ```ts ignore
 * const problems = typeCheckDocBlocks(extractCodeBlocks(text, 'README.md'), { root: process.cwd() })
 * ```
 */
export function typeCheckDocBlocks(
  blocks: readonly CodeBlock[],
  options: TypeCheckDocBlocksOptions,
): DocBlockProblem[] {
  const root = resolve(options.root);
  const compilerOptions = projectCompilerOptions(root);
  const preludeFile = resolve(options.preludeFile ?? DEFAULT_PRELUDE);
  // Blocks become virtual files next to their Markdown file; `export {}` makes each one a module, so two
  // blocks may declare the same names (and shadow the prelude's) without clashing.
  const virtual = new Map<string, CodeBlock>();
  for (const [index, block] of blocks.entries()) {
    if (!block.ignored) virtual.set(join(root, `${block.file}.block-${index + 1}.ts`), block);
  }
  const host = ts.createCompilerHost(compilerOptions, true);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (name) => virtual.has(resolve(name)) || fileExists(name);
  host.readFile = (name) => {
    const block = virtual.get(resolve(name));
    return block === undefined ? readFile(name) : `${block.code}\nexport {};\n`;
  };
  host.getSourceFile = (name, language, onError, shouldCreate) => {
    const block = virtual.get(resolve(name));
    if (block === undefined) return getSourceFile(name, language, onError, shouldCreate);
    return ts.createSourceFile(name, `${block.code}\nexport {};\n`, language, true, ts.ScriptKind.TS);
  };
  const program = ts.createProgram({
    rootNames: [preludeFile, ...virtual.keys()],
    options: compilerOptions,
    host,
  });
  const problems: DocBlockProblem[] = [];
  for (const [name, block] of virtual) {
    const source = program.getSourceFile(name);
    if (source === undefined) continue;
    const diagnostics = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ];
    for (const diagnostic of diagnostics) problems.push(toProblem(diagnostic, block));
    problems.push(...privateImports(source, block));
  }
  const prelude = program.getSourceFile(preludeFile);
  const preludeDiagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...(prelude ? program.getSemanticDiagnostics(prelude) : []),
  ];
  for (const diagnostic of preludeDiagnostics) {
    const at =
      diagnostic.file && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
        : undefined;
    problems.push({
      file: diagnostic.file?.fileName ?? 'tsconfig.json',
      line: (at?.line ?? 0) + 1,
      column: (at?.character ?? 0) + 1,
      code: `TS${diagnostic.code}`,
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    });
  }
  return problems;
}

/** The repository's compiler options, with what a check of snippets needs on top. */
function projectCompilerOptions(root: string): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (path) => readFileSync(path, 'utf8'));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath);
  const paths = parsed.options.paths ?? {};
  for (const entry of ['edge-db', 'edge-db/neon', 'edge-db/libsql', 'edge-db/testing']) {
    if (paths[entry] === undefined) throw new Error(`tsconfig.json has no "paths" entry for "${entry}"`);
  }
  // Snippets show parts of programs: an unused import or variable is not an error in a guide.
  return { ...parsed.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false };
}

/**
 * Readers copy snippets into their own projects, where only package names resolve (`edge-db`, `edge-db/neon`,
 * `kysely`, ...): a relative or absolute path, or a reach into `src/`, would not work there and breaks whenever
 * files move.
 */
function privateImports(source: ts.SourceFile, block: CodeBlock): DocBlockProblem[] {
  const problems: DocBlockProblem[] = [];
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier !== undefined &&
      ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier
        : undefined;
    if (specifier === undefined) continue;
    const path = specifier.text;
    if (!path.startsWith('.') && !path.startsWith('/') && !/(^|\/)src\//.test(path)) continue;
    const at = source.getLineAndCharacterOfPosition(specifier.getStart(source));
    problems.push({
      file: block.file,
      line: block.line + at.line,
      column: block.indent + at.character + 1,
      code: 'PUBLIC-IMPORT',
      message: `import "${path}" is not a package path; import from 'edge-db', 'edge-db/neon', 'edge-db/libsql', 'edge-db/testing' or another package`,
    });
  }
  return problems;
}

function toProblem(diagnostic: ts.Diagnostic, block: CodeBlock): DocBlockProblem {
  const at =
    diagnostic.file && diagnostic.start !== undefined
      ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
      : { line: 0, character: 0 };
  return {
    file: block.file,
    line: block.line + at.line,
    column: block.indent + at.character + 1,
    code: `TS${diagnostic.code}`,
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
  };
}

/** One line per problem, in the `file:line:column` form editors and CI logs link. */
export function formatProblem(problem: DocBlockProblem): string {
  return `${problem.file}:${problem.line}:${problem.column} - error ${problem.code}: ${problem.message}`;
}
