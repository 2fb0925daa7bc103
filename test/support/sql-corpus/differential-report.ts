import type { QueryClass } from '../../../src/sql/query-class.js';
import type { CorpusStatement } from './corpus-statement.js';
import type { EngineVerdict } from './engine-verdict.js';

/** One statement, what the engine did with it and where edge-db would send it. */
export interface Outcome {
  readonly statement: CorpusStatement;
  readonly verdict: EngineVerdict;
  readonly route: QueryClass;
}

/**
 * Reasons for which edge-db keeps a statement on the primary although the engine would run it read-only:
 * the statement reads or changes session state (settings, advisory locks, prepared statements, cursors, DO
 * blocks) that would be lost or split across nodes, so the primary is the right place by design.
 */
const BY_DESIGN_REASONS = new Set<QueryClass['reason']>([
  'session',
  'transaction-control',
  'lock',
  'side-effect',
]);

/** The counts of a differential run. */
export interface DifferentialReport {
  readonly total: number;
  readonly invalid: readonly Outcome[];
  readonly accepted: number;
  readonly refused: number;
  /** edge-db says replica, the engine refuses: bugs. */
  readonly misroutes: readonly Outcome[];
  /** edge-db says replica, the engine refuses, and the statement is a documented limitation. */
  readonly documented: readonly Outcome[];
  /** edge-db says primary, the engine accepts it read-only, for a reason other than session state. */
  readonly overCautious: readonly Outcome[];
  /** edge-db says primary, the engine accepts it read-only, because of session state (by design). */
  readonly overCautiousByDesign: readonly Outcome[];
  /** Statements with a documented limitation that the engine accepted: the documentation would be wrong. */
  readonly documentedButAccepted: readonly Outcome[];
  /** Refused statements edge-db sends to the primary (the agreements on the refused side). */
  readonly refusedOutcomes: readonly Outcome[];
}

/** Sorts outcomes into the report's categories. */
export function summarize(outcomes: readonly Outcome[]): DifferentialReport {
  const invalid: Outcome[] = [];
  const misroutes: Outcome[] = [];
  const documented: Outcome[] = [];
  const overCautious: Outcome[] = [];
  const overCautiousByDesign: Outcome[] = [];
  const documentedButAccepted: Outcome[] = [];
  const refusedOutcomes: Outcome[] = [];
  let accepted = 0;
  let refused = 0;
  for (const outcome of outcomes) {
    const { verdict, route, statement } = outcome;
    if (verdict.kind === 'invalid') {
      invalid.push(outcome);
    } else if (verdict.kind === 'refused') {
      refused++;
      if (!route.requiresPrimary) (statement.limitation === undefined ? misroutes : documented).push(outcome);
      else refusedOutcomes.push(outcome);
    } else {
      accepted++;
      if (statement.limitation !== undefined) documentedButAccepted.push(outcome);
      if (route.requiresPrimary)
        (BY_DESIGN_REASONS.has(route.reason) ? overCautiousByDesign : overCautious).push(outcome);
    }
  }
  return {
    total: outcomes.length,
    invalid,
    accepted,
    refused,
    misroutes,
    documented,
    overCautious,
    overCautiousByDesign,
    documentedButAccepted,
    refusedOutcomes,
  };
}

/** The category of an outcome in the printed examples: the shape or base of its statement id. */
function category(outcome: Outcome): string {
  const [family, shape, third] = outcome.statement.id.split('/');
  return family === 'builder' && (shape === 'fn' || shape === 'write')
    ? `${family}/${shape}/${third}`
    : `${family}/${shape}`;
}

function describe(outcome: Outcome): string {
  const { verdict, route, statement } = outcome;
  const engine =
    verdict.kind === 'refused' ? `${verdict.where} ${verdict.code} ${verdict.message}` : verdict.kind;
  const routed = route.requiresPrimary
    ? `primary (${route.reason}${route.detail ? `: ${route.detail}` : ''})`
    : 'replica';
  const text = JSON.stringify(
    statement.query.sql.length > 160 ? `${statement.query.sql.slice(0, 160)}…` : statement.query.sql,
  );
  return `${statement.id}\n        ${text}\n        engine: ${engine}; edge-db: ${routed}`;
}

function section(title: string, outcomes: readonly Outcome[], examplesPerCategory: number): string {
  const groups = new Map<string, Outcome[]>();
  for (const outcome of outcomes) {
    const key = category(outcome);
    groups.set(key, [...(groups.get(key) ?? []), outcome]);
  }
  const lines = [`${title}: ${outcomes.length}`];
  for (const [key, members] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    lines.push(`  ${key}: ${members.length}`);
    for (const member of members.slice(0, examplesPerCategory)) lines.push(`    - ${describe(member)}`);
  }
  return lines.join('\n');
}

/** How the engine refused: `where code` -> count (a router recognising refusals must know every code). */
function refusalCodes(report: DifferentialReport): string {
  const counts: Record<string, number> = {};
  for (const { verdict } of [...report.misroutes, ...report.documented, ...report.refusedOutcomes]) {
    if (verdict.kind === 'refused')
      counts[`${verdict.where} ${verdict.code}`] = (counts[`${verdict.where} ${verdict.code}`] ?? 0) + 1;
  }
  return JSON.stringify(counts);
}

/** The report as printed by the differential tests: counts, then examples per category. */
export function formatReport(engine: string, report: DifferentialReport, examplesPerCategory = 2): string {
  const byFamily = (outcomes: readonly Outcome[]) => {
    const counts: Record<string, number> = {};
    for (const { statement } of outcomes) counts[statement.family] = (counts[statement.family] ?? 0) + 1;
    return JSON.stringify(counts);
  };
  return [
    `=== ${engine}: differential classification ===`,
    `statements: ${report.total} (accepted read-only ${report.accepted}, refused ${report.refused}, invalid and left out ${report.invalid.length})`,
    `misroutes: ${report.misroutes.length} ${byFamily(report.misroutes)}`,
    `documented limitation (user functions/views that write): ${report.documented.length}`,
    `over-cautious (avoidable): ${report.overCautious.length} ${byFamily(report.overCautious)}`,
    `over-cautious by design (session state): ${report.overCautiousByDesign.length}`,
    `refusals by where and code: ${refusalCodes(report)}`,
    section('MISROUTES', report.misroutes, examplesPerCategory),
    section('DOCUMENTED LIMITATION', report.documented, 1),
    section('OVER-CAUTIOUS (avoidable)', report.overCautious, examplesPerCategory),
    section('OVER-CAUTIOUS BY DESIGN', report.overCautiousByDesign, 1),
    section('INVALID (left out)', report.invalid, 1),
  ].join('\n');
}
