// Berth's alerts and dashboard live once, in deploy/monitoring/. Kustomize and Helm may only read files
// inside their own directory, so the Kustomize monitoring component and the chart carry copies; this
// writes them, and test/deploy/monitoring.test.ts fails when one is out of date.
//   node --import tsx scripts/monitoring-copies.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const RULES_SOURCE = 'deploy/monitoring/berth-rules.yaml';
export const DASHBOARD_SOURCE = 'deploy/monitoring/dashboards/berth.json';
const COMPONENT = 'deploy/kubernetes/components/monitoring';
const CHART_FILES = 'deploy/helm/berth/files';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The rules file's groups under a PrometheusRule's `spec`, its comments kept; the file's header is replaced. */
function prometheusRule(rules: string): string {
  const start = rules.indexOf('\ngroups:');
  if (start < 0) throw new Error(`${RULES_SOURCE} has no top-level groups:`);
  const groups = rules
    .slice(start + 1)
    .split('\n')
    .map((line) => (line === '' ? '' : `  ${line}`))
    .join('\n');
  return [
    `# Generated from ${RULES_SOURCE} by scripts/monitoring-copies.ts: edit that file, then run the script.`,
    "# The Prometheus Operator loads it when its ruleSelector matches these labels (kube-prometheus-stack's",
    '# default wants `release: <its release name>`: add it with a patch).',
    'apiVersion: monitoring.coreos.com/v1',
    'kind: PrometheusRule',
    'metadata:',
    '  name: berth',
    '  labels:',
    '    app.kubernetes.io/name: berth',
    '    app.kubernetes.io/part-of: berth',
    'spec:',
    groups,
  ].join('\n');
}

/** Every copy: where it goes and what it must hold. */
export function monitoringCopies(): Array<{ path: string; content: string }> {
  const rules = read(RULES_SOURCE);
  const dashboard = read(DASHBOARD_SOURCE);
  return [
    { path: `${COMPONENT}/prometheusrule.yaml`, content: prometheusRule(rules) },
    { path: `${COMPONENT}/berth-dashboard.json`, content: dashboard },
    { path: `${CHART_FILES}/berth-rules.yaml`, content: rules },
    { path: `${CHART_FILES}/berth-dashboard.json`, content: dashboard },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const { path, content } of monitoringCopies()) {
    writeFileSync(join(ROOT, path), content);
    console.log(`wrote ${path}`);
  }
}
