/** Command-line options of `npm run bench`. */
export interface BenchOptions {
  /** Fewer iterations; writes `bench/results/quick.json` and leaves the docs alone. */
  readonly quick: boolean;
  /** Run only these scenarios (all when empty). */
  readonly only: readonly string[];
  /** Results file; defaults depend on `quick`. */
  readonly out: string | undefined;
  /** Regenerate docs/benchmarks.md and docs/benchmarks.svg from the results (default: full runs only). */
  readonly docs: boolean | undefined;
  /** Do not run anything: regenerate the docs from an existing results file. */
  readonly renderOnly: boolean;
}

const USAGE = `usage: npm run bench -- [--quick] [--only=geo-read,bundle] [--out=path.json] [--docs|--no-docs] [--render]`;

/** Parses `process.argv.slice(2)`; throws with the usage text on anything unknown. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let quick = false;
  let only: string[] = [];
  let out: string | undefined;
  let docs: boolean | undefined;
  let renderOnly = false;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--docs') docs = true;
    else if (arg === '--no-docs') docs = false;
    else if (arg === '--render') renderOnly = true;
    else if (arg.startsWith('--only='))
      only = arg
        .slice('--only='.length)
        .split(',')
        .filter((s) => s !== '');
    else if (arg.startsWith('--out=')) out = arg.slice('--out='.length);
    else throw new TypeError(`edge-db bench: unknown argument "${arg}"\n${USAGE}`);
  }
  return { quick, only, out, docs, renderOnly };
}
