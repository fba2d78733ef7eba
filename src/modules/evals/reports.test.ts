import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBaseline } from './gate.js';
import type { CaseResult, EvalReport } from './report.schema.js';
import { reportSchema } from './report.schema.js';
import { toMarkdown, writeReports } from './reports.js';
import { buildReport, type SuiteRun } from './runner.js';

const result = (id: string, status: CaseResult['status'], reasons: string[] = []): CaseResult => ({
  id,
  kind: 'chat',
  input: ['hello'],
  agent: 'default',
  status,
  reasons,
  assertions: [],
  latency_ms: 25,
  tokens: { input: 10, output: 20 },
  output: 'Summary <b>&</b> "quoted" \u0007bell',
  tools: [],
  agent_version: 'a70cbddd8079',
});

function run(cases: CaseResult[]): SuiteRun {
  return {
    suite: { name: 'golden', file: 'evals/golden.yaml', timeout_ms: 60_000, cases: [] },
    target: 'in process',
    agent: { name: 'default', provider: 'offline', model: 'berth-offline', version: 'a70cbddd8079' },
    cases,
    startedAt: new Date('2026-01-01T00:00:00Z'),
    finishedAt: new Date('2026-01-01T00:00:02Z'),
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const asBaseline = (report: EvalReport) => {
  const parsed = parseBaseline(JSON.stringify(report), 'baseline.json', 'golden');
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

describe('eval reports and gate', () => {
  it('passes the gate at the threshold, over judged cases only, and fails it when nothing was judged', () => {
    const mixed = run([
      result('a', 'passed'),
      result('b', 'passed'),
      result('c', 'failed', ['x']),
      result('j', 'skipped'),
    ]);
    expect(buildReport(mixed).gate).toEqual({
      min_pass_rate: 1,
      passed: false,
      reasons: ['pass rate 66.6 % is below the minimum 100 %'],
    });
    expect(buildReport(mixed).pass_rate).toBeCloseTo(2 / 3);
    expect(buildReport(mixed, { minPassRate: 0.6 }).gate.passed).toBe(true);
    expect(buildReport(run([result('j', 'skipped')]), { minPassRate: 0 }).gate).toMatchObject({
      passed: false,
      reasons: ['no case could be judged (every case was skipped)'],
    });
  });

  it('names each case that passed in the baseline and fails now, and fails the gate on it', () => {
    const before = buildReport(
      run([
        result('a', 'passed'),
        result('b', 'passed'),
        result('c', 'failed'),
        result('d', 'passed'),
        result('gone', 'passed'),
      ]),
    );
    const now = buildReport(
      run([
        result('a', 'passed'),
        result('b', 'failed', ['contains: no "x"']),
        result('c', 'failed'),
        result('d', 'skipped', ['skipped: no judge model']),
      ]),
      { minPassRate: 0.3, baseline: asBaseline(before) },
    );
    expect(now.regressions).toEqual([
      { case: 'b', was: 'passed', now: 'failed', reasons: ['contains: no "x"'] },
    ]);
    expect(now.gate).toEqual({
      min_pass_rate: 0.3,
      passed: false,
      reasons: ['regression: b passed in the baseline and fails now'],
    });
    expect(now.baseline?.notes).toEqual([
      'd: passed in the baseline, skipped now (skipped: no judge model)',
      'gone: in the baseline (passed), not in this run',
    ]);
    expect(toMarkdown(now)).toContain('- **b**: passed → failed: contains: no "x"');
  });

  it('refuses a baseline that is not a report of this suite', () => {
    const other = { ...buildReport(run([result('a', 'passed')])), suite: 'adversarial' };
    expect(parseBaseline(JSON.stringify(other), 'b.json', 'golden')).toEqual({
      ok: false,
      error: 'b.json: is a report of suite "adversarial", not "golden"',
    });
    expect(parseBaseline('{"cases":[]}', 'b.json', 'golden')).toMatchObject({
      ok: false,
      error: expect.stringContaining('not a berth eval JSON report'),
    });
    expect(parseBaseline('nope', 'b.json', 'golden')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^b\.json: not JSON/),
    });
  });

  it('writes Markdown, well-formed JUnit XML and a JSON report that reads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-eval-reports-'));
    dirs.push(dir);
    const report = buildReport(
      run([
        result('a', 'passed'),
        result('b <&>', 'failed', ['contains: no "x" & <y>']),
        result('j', 'skipped', ['skipped: no judge model']),
      ]),
      { minPassRate: 0.5 },
    );
    const files = writeReports(report, join(dir, 'out'));
    expect(files.map((f) => f.slice(dir.length))).toEqual([
      '/out/golden.json',
      '/out/golden.md',
      '/out/golden.junit.xml',
    ]);
    const xml = readFileSync(join(dir, 'out/golden.junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    const suite = parsed.testsuites.testsuite;
    expect(suite).toMatchObject({ name: 'golden', tests: '3', failures: '1', skipped: '1', errors: '0' });
    expect(suite.testcase.map((c: { name: string }) => c.name)).toEqual(['a', 'b <&>', 'j']);
    expect(suite.testcase[1].failure.message).toBe('contains: no "x" & <y>');
    expect(suite.testcase[2].skipped.message).toBe('skipped: no judge model');
    const json = JSON.parse(readFileSync(join(dir, 'out/golden.json'), 'utf8'));
    expect(reportSchema.parse(json)).toEqual(report);
    const markdown = readFileSync(join(dir, 'out/golden.md'), 'utf8');
    expect(markdown).toContain(
      '**Gate: passed** — pass rate 50 % (1 of 2 judged passed, 1 skipped), minimum 50 %.',
    );
    expect(markdown).toContain('| `b <&>` | chat | ❌ failed | 25 ms | 30 | contains: no "x" & <y> |');
  });
});
