// Reading PromQL and the Prometheus exposition well enough to check what alert rules and dashboards use
// against what Berth exports. The syntax itself is promtool's to judge (promtoolCheckRules); this only
// finds metric names and label names.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SERVICES_REQUIRED } from './services.js';

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);
const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;

const blankStrings = (expr: string) => expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');

/** Metric names an expression selects: identifiers that are neither functions, keywords, labels nor strings. */
export function metricNamesIn(expr: string): string[] {
  return selectorsIn(expr).map((selector) => selector.metric);
}

/** Each vector selector of an expression with the label names its matchers name. */
export function selectorsIn(expr: string): Array<{ metric: string; labels: string[] }> {
  const stripped = blankStrings(expr)
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(GROUPING, ' ');
  const found: Array<{ metric: string; labels: string[] }> = [];
  for (const m of stripped.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\s*(\{[^}]*\})?(\s*\()?/g)) {
    const [, word, matchers, call] = m as unknown as [string, string, string | undefined, string | undefined];
    if (call || KEYWORDS.has(word)) continue; // a function call or a keyword
    const labels = [...(matchers ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map(
      (label) => label[1] as string,
    );
    found.push({ metric: word, labels });
  }
  return found;
}

/** Label names of `by`, `without`, `on`, `ignoring` and `group_*` clauses. */
export function groupingLabelsIn(expr: string): string[] {
  return [...blankStrings(expr).matchAll(GROUPING)].flatMap((m) =>
    (m[2] as string)
      .split(',')
      .map((label) => label.trim())
      .filter(Boolean),
  );
}

/** Series names of an exposition (`_bucket`, `_sum`, `_count` as they are), each with every label name seen on it. */
export function exposedSeries(exposition: string): Map<string, Set<string>> {
  const series = new Map<string, Set<string>>();
  for (const line of exposition.split('\n')) {
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{.*\})?\s/.exec(line);
    if (!m) continue;
    const labels = series.get(m[1] as string) ?? new Set<string>();
    for (const label of (m[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="(?:[^"\\]|\\.)*"/g))
      labels.add(label[1] as string);
    series.set(m[1] as string, labels);
  }
  return series;
}

/** Why promtool cannot be used here, or undefined; with BERTH_REQUIRE_SERVICES=1 its absence is an error. */
export function promtoolSkipReason(): string | undefined {
  const found = spawnSync('promtool', ['--version'], { stdio: 'ignore' });
  if (!found.error) return undefined;
  const reason = 'promtool is not installed (Debian: apt-get install prometheus)';
  if (SERVICES_REQUIRED) throw new Error(`${reason}, and BERTH_REQUIRE_SERVICES=1`);
  return reason;
}

/** Runs promtool with the given arguments; its exit code and everything it printed. */
export function promtool(args: string[]): { code: number | null; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

/** `promtool check rules` on rule groups (a rules file's content, or a PrometheusRule's `spec`). */
export function promtoolCheckRules(groups: unknown): { code: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-promtool-'));
  try {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, typeof groups === 'string' ? groups : stringify(groups));
    return promtool(['check', 'rules', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
