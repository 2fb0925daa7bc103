import { afterAll, describe, expect, it } from 'vitest';
import { classifyQuery } from '../../../src/sql/classify-query.js';
import {
  builderStatements,
  compilingKysely,
  formatReport,
  judgeAll,
  LibsqlJudge,
  type Outcome,
  sqliteRawStatements,
  summarize,
} from '../../support/sql-corpus/index.js';

/**
 * The differential test of edge-db's classification against the libSQL engine itself: every statement of the
 * SQLite corpus runs read-write (the baseline) and on a `PRAGMA query_only = 1` connection, and what the
 * engine did is compared with where `classifyQuery` would send it.
 */
const judge = new LibsqlJudge();
afterAll(() => judge.close());

describe('classification against the libSQL engine (query_only connection)', () => {
  it('sends no statement to a replica that a read-only libSQL connection refuses', async () => {
    const statements = [...builderStatements(compilingKysely('sqlite'), 'sqlite'), ...sqliteRawStatements()];
    expect(new Set(statements.map((statement) => statement.id)).size).toBe(statements.length);
    const verdicts = await judgeAll([judge], statements);
    const outcomes: Outcome[] = statements.map((statement, index) => ({
      statement,
      verdict: verdicts[index]!,
      route: classifyQuery(statement.query),
    }));
    const report = summarize(outcomes);
    console.log(formatReport('libSQL (libsql 0.5, query_only)', report));

    for (const family of ['builder', 'raw'] as const) {
      const judged = outcomes.filter((o) => o.statement.family === family && o.verdict.kind !== 'invalid');
      // SQLite SELECTs cannot write: the builder's refused statements are its write roots.
      expect(judged.filter((o) => o.verdict.kind === 'refused').length, family).toBeGreaterThan(5);
      expect(judged.filter((o) => o.verdict.kind === 'accepted').length, family).toBeGreaterThan(20);
    }
    expect(report.total - report.invalid.length).toBeGreaterThan(900);
    expect(
      report.misroutes.map((o) => `${o.statement.id}: ${JSON.stringify(o.statement.query.sql)}`),
    ).toEqual([]);
  }, 300_000);
});
