export { BUILDER_FUNCTION_CALLS, SQLITE_BUILDER_FUNCTION_CALLS } from './builder-function-calls.js';
export { builderStatements } from './builder-statements.js';
export { CATALOGUE_QUERY, type CatalogueFunction, catalogueStatements } from './catalogue-statements.js';
export { type CorpusDatabase, compilingKysely } from './corpus-database.js';
export {
  type CorpusFamily,
  type CorpusStatement,
  type KnownLimitation,
  rawStatement,
} from './corpus-statement.js';
export { type DifferentialReport, formatReport, type Outcome, summarize } from './differential-report.js';
export { type EngineVerdict, errorFacts } from './engine-verdict.js';
export { type Judge, judgeAll } from './judge-all.js';
export { LibsqlJudge } from './libsql-judge.js';
export { POSTGRES_FIXTURE_SQL } from './postgres-fixture.js';
export { PostgresJudge } from './postgres-judge.js';
export {
  POSTGRES_EXACT_TEXTS,
  POSTGRES_RAW_BASES,
  postgresRawStatements,
} from './raw-postgres-statements.js';
export { SQLITE_EXACT_TEXTS, SQLITE_RAW_BASES, sqliteRawStatements } from './raw-sqlite-statements.js';
export { PREFIXES, type RawBase, rawVariants, SEPARATORS, SUFFIXES } from './raw-variants.js';
export { SQLITE_FIXTURE_SQL } from './sqlite-fixture.js';
