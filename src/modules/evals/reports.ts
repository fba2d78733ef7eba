import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatRate } from './gate.js';
import type { CaseResult, EvalReport } from './report.schema.js';

const tokenCount = (c: CaseResult) => (c.tokens ? c.tokens.input + c.tokens.output : null);
const ms = (value: number | null) =>
  value === null ? '–' : value < 10_000 ? `${value} ms` : `${(value / 1000).toFixed(1)} s`;
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const statusMark = { passed: '✅ passed', failed: '❌ failed', skipped: '⏭️ skipped' } as const;

function judgedLine(report: EvalReport): string {
  const { passed, failed, skipped } = report.totals;
  const judged = `${passed} of ${passed + failed} judged passed${skipped ? `, ${skipped} skipped` : ''}`;
  return `pass rate ${formatRate(report.pass_rate)} (${judged}), minimum ${formatRate(report.gate.min_pass_rate)}`;
}

/** The report for people: the gate first, a table of cases, then what failed and why. */
export function toMarkdown(report: EvalReport): string {
  const lines = [
    `# Eval: ${report.suite}`,
    '',
    ...(report.description ? [report.description.trim(), ''] : []),
    `Agent \`${report.agent}\` (version \`${report.agent_version ?? 'unknown'}\`, ${report.model ?? 'model unknown'}) on ${report.target}` +
      ` · configuration \`${report.config_version ?? 'unknown'}\` · Berth ${report.berth_version ?? 'unknown'}` +
      `${report.run_id ? ` · run \`${report.run_id}\`` : ''}`,
    `Started ${report.started_at}, took ${ms(report.duration_ms)}. Suite file: \`${report.suite_file}\`.`,
    '',
    report.gate.passed
      ? `**Gate: passed** — ${judgedLine(report)}.`
      : `**Gate: FAILED** — ${judgedLine(report)}.`,
    ...report.gate.reasons.map((r) => `- ${r}`),
    '',
    '| case | input | status | latency | tokens | why |',
    '|---|---|---|---|---|---|',
    ...report.cases.map(
      (c) =>
        `| \`${c.id}\` | ${c.kind} | ${statusMark[c.status]} | ${ms(c.latency_ms)} | ${tokenCount(c) ?? '–'} | ${cell(c.reasons.join('; '))} |`,
    ),
  ];
  if (report.baseline) {
    lines.push(
      '',
      `## Compared with ${report.baseline.file} (pass rate ${formatRate(report.baseline.pass_rate)})`,
      '',
    );
    if (report.regressions.length === 0) lines.push('No regression.');
    for (const r of report.regressions)
      lines.push(`- **${r.case}**: ${r.was} → ${r.now}: ${r.reasons.join('; ')}`);
    for (const note of report.baseline.notes) lines.push(`- ${note}`);
  }
  const failed = report.cases.filter((c) => c.status === 'failed');
  if (failed.length > 0) lines.push('', '## Failures');
  for (const c of failed) {
    lines.push(
      '',
      `### ${c.id}`,
      '',
      ...c.reasons.map((r) => `- ${r}`),
      '',
      'Output:',
      '',
      '```text',
      c.output,
      '```',
    );
  }
  return `${lines.join('\n')}\n`;
}

// XML 1.0 allows no control characters but tab, newline and carriage return.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters being removed
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const xml = (text: string) =>
  text
    .replace(XML_INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
const seconds = (value: number | null) => ((value ?? 0) / 1000).toFixed(3);

/** JUnit XML, as CI systems read it: one testsuite, one testcase a case; skipped cases say why. */
export function toJUnit(report: EvalReport): string {
  const { cases, failed, skipped } = report.totals;
  const properties = [
    ['agent', report.agent],
    ['agent_version', report.agent_version ?? ''],
    ['config_version', report.config_version ?? ''],
    ['berth_version', report.berth_version ?? ''],
    ['model', report.model ?? ''],
    ['target', report.target],
    ['pass_rate', report.pass_rate === null ? '' : String(report.pass_rate)],
    ['gate', report.gate.passed ? 'passed' : 'failed'],
  ]
    .map(([name, value]) => `      <property name="${xml(name as string)}" value="${xml(value as string)}"/>`)
    .join('\n');
  const testcases = report.cases.map((c) => {
    const open = `    <testcase classname="${xml(report.suite)}" name="${xml(c.id)}" time="${seconds(c.latency_ms)}"`;
    if (c.status === 'passed') return `${open}/>`;
    const body =
      c.status === 'skipped'
        ? `      <skipped message="${xml(c.reasons[0] ?? 'skipped')}"/>`
        : `      <failure message="${xml(c.reasons[0] ?? 'failed')}" type="assertion">${xml(c.reasons.join('\n'))}</failure>\n` +
          `      <system-out>${xml(c.output)}</system-out>`;
    return `${open}>\n${body}\n    </testcase>`;
  });
  const attrs = `tests="${cases}" failures="${failed}" errors="0" skipped="${skipped}" time="${seconds(report.duration_ms)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="berth eval" ${attrs}>`,
    `  <testsuite name="${xml(report.suite)}" ${attrs} timestamp="${xml(report.started_at)}">`,
    '    <properties>',
    properties,
    '    </properties>',
    ...testcases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Writes <suite>.json, <suite>.md and <suite>.junit.xml into `dir` (created if missing); returns their paths. */
export function writeReports(report: EvalReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: Array<[string, string]> = [
    [`${report.suite}.json`, `${JSON.stringify(report, null, 2)}\n`],
    [`${report.suite}.md`, toMarkdown(report)],
    [`${report.suite}.junit.xml`, toJUnit(report)],
  ];
  return files.map(([name, content]) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  });
}

/** One line as a case ends. */
export function caseLine(c: CaseResult): string {
  const mark = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' }[c.status];
  const why = c.reasons.length > 0 ? `: ${c.reasons.join('; ')}` : '';
  return `  ${mark} ${c.id} (${ms(c.latency_ms)})${why}`;
}

/** The closing lines: totals, the gate and why it failed. */
export function summaryLines(report: EvalReport): string[] {
  const gate = report.gate.passed ? 'gate passed' : 'gate FAILED';
  return [
    `${report.suite}: ${report.totals.passed} passed, ${report.totals.failed} failed, ${report.totals.skipped} skipped — ${judgedLine(report)} — ${gate}`,
    ...report.gate.reasons.map((r) => `  ${r}`),
  ];
}
