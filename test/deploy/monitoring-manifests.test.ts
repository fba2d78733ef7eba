// The Kustomize monitoring component (production overlay) and the chart's monitoring.enabled: the same
// PrometheusRule, PodMonitor and dashboard ConfigMap, valid against the Prometheus Operator's CRD schemas
// (@kubernetes-models/prometheus-operator), scraping exactly Berth's api and worker pods.
import { describe, expect, it } from 'vitest';
import { type K8sObject, podTemplates, renderHelm, renderKustomize } from '../support/k8s/render.js';
import { allSchemaErrors, schemaErrors } from '../support/k8s/schemas.js';
import { alerts, dashboard, type Rule, type RuleGroups, rules } from '../support/monitoring.js';

const CHART = 'deploy/helm/berth';
const PRODUCTION = 'deploy/kubernetes/overlays/production';

interface PodMonitorSpec {
  selector: {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values: string[] }>;
  };
  podMetricsEndpoints: Array<{ port: string; path: string; interval?: string }>;
}

const byKind = (objects: readonly K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const monitoringObjects = (objects: readonly K8sObject[]) =>
  objects.filter(
    (o) => o.apiVersion.startsWith('monitoring.coreos.com/') || o.metadata.labels?.grafana_dashboard === '1',
  );
function only(objects: readonly K8sObject[], kind: string): K8sObject & { spec?: unknown } {
  const found = byKind(objects, kind);
  expect(
    found.map((o) => o.metadata.name),
    kind,
  ).toHaveLength(1);
  return found[0] as K8sObject;
}
const dashboardJson = (objects: readonly K8sObject[]) =>
  JSON.parse(
    (only(objects, 'ConfigMap') as K8sObject & { data?: Record<string, string> }).data?.['berth.json'] ?? '',
  );

/** Does the PodMonitor's selector pick a pod with these labels? */
function selects(spec: PodMonitorSpec, labels: Record<string, string> = {}): boolean {
  const { matchLabels = {}, matchExpressions = [] } = spec.selector;
  return (
    Object.entries(matchLabels).every(([key, value]) => labels[key] === value) &&
    matchExpressions.every((e) => e.operator === 'In' && e.values.includes(labels[e.key] ?? ''))
  );
}

/** The PodMonitor scrapes exactly Berth's api and worker pods, on a port their container names. */
function scrapeProblems(objects: readonly K8sObject[]): string[] {
  const spec = only(objects, 'PodMonitor').spec as PodMonitorSpec;
  const problems: string[] = [];
  for (const template of podTemplates(objects)) {
    const component = template.metadata.labels?.['app.kubernetes.io/component'];
    const picked = selects(spec, template.metadata.labels);
    const where = `${template.owner.kind}/${template.owner.metadata.name}`;
    if (picked !== (component === 'api' || component === 'worker'))
      problems.push(`${where}: selected ${picked}`);
    if (!picked) continue;
    const ports = template.spec.containers.flatMap((container) => container.ports ?? []);
    for (const endpoint of spec.podMetricsEndpoints) {
      if (!ports.some((port) => port.name === endpoint.port))
        problems.push(`${where}: no port ${endpoint.port}`);
      if (endpoint.path !== '/metrics') problems.push(`${where}: scrapes ${endpoint.path}`);
    }
  }
  return problems;
}

describe('Kustomize monitoring component (in the production overlay)', () => {
  const production = renderKustomize(PRODUCTION);
  const ours = monitoringObjects(production);

  it('renders the rules, the scrape and the dashboard in the namespace, valid against their schemas', () => {
    expect(ours.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/berth-grafana-dashboard',
      'PodMonitor/berth',
      'PrometheusRule/berth',
    ]);
    expect(ours.every((o) => o.metadata.namespace === 'berth-production')).toBe(true);
    expect(allSchemaErrors(ours)).toEqual([]);
    expect(only(ours, 'PrometheusRule').spec).toEqual(rules);
    expect(dashboardJson(ours)).toEqual(dashboard);
  });

  it('scrapes /metrics of exactly the api and worker pods, on their http port, which the NetworkPolicy opens', () => {
    expect(scrapeProblems(production)).toEqual([]);
    expect(
      production.some(
        (o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'berth-metrics-from-monitoring',
      ),
    ).toBe(true);
  });

  it('is refused by the CRD schema, and by the scrape check, when malformed (the checks can fail)', () => {
    const rule = structuredClone(only(ours, 'PrometheusRule')) as K8sObject & { spec: RuleGroups };
    (rule.spec.groups[0]?.rules[0] as Rule).for = 'five minutes';
    expect(schemaErrors(rule).join('\n')).toMatch(/\/spec\/groups\/0\/rules\/0\/for must match pattern/);
    const elsewhere = production.map((o) => {
      if (o.kind !== 'PodMonitor') return o;
      const copy = structuredClone(o) as K8sObject & { spec: PodMonitorSpec };
      copy.spec.podMetricsEndpoints = [{ port: 'metrics', path: '/metrics' }];
      return copy;
    });
    expect(scrapeProblems(elsewhere)).toContain('Deployment/berth-worker: no port metrics');
  });

  it('is left out of dev and staging (optional there: add it to their components)', () => {
    for (const env of ['dev', 'staging'])
      expect(monitoringObjects(renderKustomize(`deploy/kubernetes/overlays/${env}`))).toEqual([]);
  });
});

describe('Helm chart monitoring', () => {
  const enabled = renderHelm(CHART, {
    set: ['monitoring.enabled=true', 'monitoring.labels.release=kube-prometheus-stack'],
  });
  const ours = monitoringObjects(enabled);

  it('is off by default', () => {
    expect(monitoringObjects(renderHelm(CHART))).toEqual([]);
  });

  it('renders with monitoring.enabled the same rules, scrape and dashboard as Kustomize, valid, with the selector labels', () => {
    expect(ours.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/berth-grafana-dashboard',
      'PodMonitor/berth',
      'PrometheusRule/berth',
    ]);
    expect(allSchemaErrors(ours)).toEqual([]);
    for (const kind of ['PrometheusRule', 'PodMonitor'])
      expect(only(ours, kind).metadata.labels?.release, kind).toBe('kube-prometheus-stack');
    expect(only(ours, 'ConfigMap').metadata.labels?.grafana_dashboard).toBe('1');
    expect(only(ours, 'PrometheusRule').spec).toEqual(rules);
    expect(dashboardJson(ours)).toEqual(dashboard);
    expect(scrapeProblems(enabled)).toEqual([]);
    const kustomize = monitoringObjects(renderKustomize(PRODUCTION));
    const endpoints = (objects: readonly K8sObject[]) =>
      (only(objects, 'PodMonitor').spec as PodMonitorSpec).podMetricsEndpoints;
    expect(endpoints(ours)).toEqual(endpoints(kustomize));
  });

  it('links the runbooks where monitoring.runbookUrl says, sets the scrape interval, and turns each part off', () => {
    const moved = renderHelm(CHART, {
      set: [
        'monitoring.enabled=true',
        'monitoring.runbookUrl=https://wiki.example.com/berth',
        'monitoring.podMonitor.interval=30s',
      ],
    });
    const spec = only(moved, 'PrometheusRule').spec as RuleGroups;
    expect(spec.groups.flatMap((g) => g.rules).map((r) => r.annotations?.runbook_url)).toEqual(
      alerts.map((rule) => `https://wiki.example.com/berth#${rule.alert?.toLowerCase()}`),
    );
    expect((only(moved, 'PodMonitor').spec as PodMonitorSpec).podMetricsEndpoints[0]?.interval).toBe('30s');
    for (const [part, kind] of [
      ['rules', 'PrometheusRule'],
      ['podMonitor', 'PodMonitor'],
      ['dashboard', 'ConfigMap'],
    ] as const) {
      const without = monitoringObjects(
        renderHelm(CHART, { set: ['monitoring.enabled=true', `monitoring.${part}.enabled=false`] }),
      );
      expect(without.map((o) => o.kind).sort(), part).toEqual(
        ['ConfigMap', 'PodMonitor', 'PrometheusRule'].filter((k) => k !== kind),
      );
    }
  });

  it('refuses an unknown monitoring value and a runbook URL that is not one (values.schema.json)', () => {
    expect(() => renderHelm(CHART, { set: ['monitoring.enabeld=true'] })).toThrow(/enabeld/);
    expect(() => renderHelm(CHART, { set: ['monitoring.runbookUrl=docs/runbooks.md'] })).toThrow(
      /runbookUrl/,
    );
    expect(() => renderHelm(CHART, { set: ['monitoring.podMonitor.interval=soon'] })).toThrow(/interval/);
  });
});
