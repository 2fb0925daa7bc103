import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyQuery } from '../../../src/sql/classify-query.js';
import { type PostgresCluster, startPostgresClusterWith } from '../../../src/testing/index.js';
import {
  builderStatements,
  CATALOGUE_QUERY,
  type CatalogueFunction,
  catalogueStatements,
  compilingKysely,
  formatReport,
  judgeAll,
  type Outcome,
  POSTGRES_FIXTURE_SQL,
  PostgresJudge,
  postgresRawStatements,
  summarize,
} from '../../support/sql-corpus/index.js';

/**
 * The differential test of edge-db's statement classification: every statement of a generated corpus runs on
 * PostgreSQL itself (read-write as the baseline, `BEGIN READ ONLY` on the primary, and on a hot standby), and
 * what PostgreSQL did is compared with where `classifyQuery` would send it. A statement sent to a replica that
 * PostgreSQL refuses there is a misroute; user functions and views that write are the one documented
 * exception (route them with `route(db, { readPreference: 'primary' })`).
 */
let cluster: PostgresCluster;
const judges: PostgresJudge[] = [];
let catalogue: CatalogueFunction[] = [];

beforeAll(async () => {
  cluster = await startPostgresClusterWith({ replicas: 1 });
  const client = new pg.Client({ connectionString: cluster.primary.directUrl });
  await client.connect();
  try {
    await client.query(POSTGRES_FIXTURE_SQL);
    catalogue = (await client.query<CatalogueFunction>(CATALOGUE_QUERY)).rows;
  } finally {
    await client.end();
  }
  await cluster.replicas[0]!.waitForPosition(await cluster.primary.currentPosition());
  // Two sessions per node: the corpus is thousands of short statements, round trips dominate.
  for (let i = 0; i < 2; i++)
    judges.push(await PostgresJudge.open(cluster.primary.directUrl, cluster.replicas[0]!.directUrl));
});

afterAll(async () => {
  await Promise.allSettled(judges.map((judge) => judge.close()));
  await cluster?.stop();
});

describe('classification against PostgreSQL itself (primary read-only and hot standby)', () => {
  it('sends no statement to a replica that PostgreSQL refuses there, apart from documented user functions', async () => {
    const db = compilingKysely('postgres');
    const { statements: fromCatalogue, uncallable } = catalogueStatements(db, catalogue);
    const statements = [...builderStatements(db, 'postgres'), ...postgresRawStatements(), ...fromCatalogue];
    const ids = new Set(statements.map((statement) => statement.id));
    expect(ids.size).toBe(statements.length);

    const verdicts = await judgeAll(judges, statements);
    const outcomes: Outcome[] = statements.map((statement, index) => ({
      statement,
      verdict: verdicts[index]!,
      route: classifyQuery(statement.query),
    }));
    const report = summarize(outcomes);
    console.log(
      `${formatReport('PostgreSQL 15', report)}\ncatalogue: ${catalogue.length} volatile functions, ${uncallable} without sample arguments`,
    );

    // The corpus must exercise both sides in every family, or a zero below would prove nothing.
    for (const family of ['builder', 'raw', 'catalogue'] as const) {
      const judged = outcomes.filter((o) => o.statement.family === family && o.verdict.kind !== 'invalid');
      expect(judged.filter((o) => o.verdict.kind === 'refused').length, family).toBeGreaterThan(20);
      expect(judged.filter((o) => o.verdict.kind === 'accepted').length, family).toBeGreaterThan(20);
    }
    expect(report.total - report.invalid.length).toBeGreaterThan(2_500);
    // Every documented limitation is one PostgreSQL really refuses.
    expect(report.documentedButAccepted.map((o) => o.statement.id)).toEqual([]);
    expect(report.documented.length).toBeGreaterThan(0);
    expect(
      report.misroutes.map((o) => `${o.statement.id}: ${JSON.stringify(o.statement.query.sql)}`),
    ).toEqual([]);
  }, 300_000);
});
