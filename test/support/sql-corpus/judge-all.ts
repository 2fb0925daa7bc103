import type { CorpusStatement } from './corpus-statement.js';
import type { EngineVerdict } from './engine-verdict.js';

/** Something that runs one statement at a time against the engine. */
export interface Judge {
  judge(statement: CorpusStatement): Promise<EngineVerdict>;
}

/** Runs every statement through one of `judges` (each handles one statement at a time), keeping order. */
export async function judgeAll(
  judges: readonly Judge[],
  statements: readonly CorpusStatement[],
): Promise<EngineVerdict[]> {
  const verdicts: EngineVerdict[] = new Array(statements.length);
  let next = 0;
  await Promise.all(
    judges.map(async (judge) => {
      while (next < statements.length) {
        const index = next++;
        verdicts[index] = await judge.judge(statements[index]!);
      }
    }),
  );
  return verdicts;
}
