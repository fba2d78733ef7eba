import { fail, ok, type Result } from '../../platform/errors.js';
import {
  type CaseResult,
  type EvalReport,
  REPORT_FORMAT,
  type Regression,
  reportSchema,
} from './report.schema.js';

export interface Totals {
  cases: number;
  passed: number;
  failed: number;
  skipped: number;
}

export function totalsOf(cases: readonly CaseResult[]): Totals {
  const count = (status: CaseResult['status']) => cases.filter((c) => c.status === status).length;
  return { cases: cases.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

/** Passed over judged cases: a skipped case is neither. Null when none was judged. */
export function passRate(totals: Totals): number | null {
  const judged = totals.passed + totals.failed;
  return judged === 0 ? null : totals.passed / judged;
}

/** A previous JSON report to compare with. */
export interface Baseline {
  file: string;
  report: EvalReport;
}

/** Reads a baseline: a JSON report of the same suite, else a message naming what is wrong. */
export function parseBaseline(text: string, file: string, suite: string): Result<Baseline, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`${file}: not JSON (${(error as Error).message})`);
  }
  if ((json as { format?: unknown } | null)?.format !== REPORT_FORMAT) {
    return fail(`${file}: not a berth eval JSON report (no "format": "${REPORT_FORMAT}")`);
  }
  const parsed = reportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(`${file}: ${issue?.path.join('.') || 'report'}: ${issue?.message}`);
  }
  if (parsed.data.suite !== suite) {
    return fail(`${file}: is a report of suite "${parsed.data.suite}", not "${suite}"`);
  }
  return ok({ file, report: parsed.data });
}

/** Cases that passed in the baseline and fail now, and what changed without being a regression. */
export function compareWithBaseline(cases: readonly CaseResult[], baseline: Baseline) {
  const now = new Map(cases.map((c) => [c.id, c]));
  const regressions: Regression[] = [];
  const notes: string[] = [];
  for (const before of baseline.report.cases) {
    const current = now.get(before.id);
    if (!current) {
      notes.push(`${before.id}: in the baseline (${before.status}), not in this run`);
      continue;
    }
    if (before.status === 'passed' && current.status === 'failed') {
      regressions.push({ case: before.id, was: 'passed', now: 'failed', reasons: current.reasons });
    } else if (before.status === 'passed' && current.status === 'skipped') {
      notes.push(`${before.id}: passed in the baseline, skipped now (${current.reasons.join('; ')})`);
    }
  }
  return { regressions, notes };
}

/** The gate: the pass rate reaches the threshold, some case was judged, and nothing regressed. */
export function gateOf(rate: number | null, minPassRate: number, regressions: readonly Regression[]) {
  const reasons: string[] = [];
  if (rate === null) reasons.push('no case could be judged (every case was skipped)');
  else if (rate < minPassRate) {
    reasons.push(`pass rate ${formatRate(rate)} is below the minimum ${formatRate(minPassRate)}`);
  }
  for (const r of regressions) reasons.push(`regression: ${r.case} passed in the baseline and fails now`);
  return { min_pass_rate: minPassRate, passed: reasons.length === 0, reasons };
}

export const formatRate = (rate: number | null) =>
  rate === null ? 'n/a' : `${(Math.floor(rate * 1000) / 10).toFixed(1).replace(/\.0$/, '')} %`;
