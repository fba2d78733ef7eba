// One shape, two packagings: the Helm chart with its default values (release "berth") must render the same
// workloads as the Kustomize base — field by field, so a difference names the field and both values.
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  type Container,
  type K8sObject,
  objectName,
  type PodTemplate,
  podTemplates,
  renderHelm,
  renderKustomize,
} from '../support/k8s/render.js';

const CHART = 'deploy/helm/berth';
const BASE = 'deploy/kubernetes/base';

interface Workload {
  owner: K8sObject;
  template: PodTemplate;
  container: Container;
}

type Field = [label: string, read: (workload: Workload) => unknown];

const byName = <T extends { name?: string }>(items: readonly T[] | undefined) =>
  [...(items ?? [])].sort((a, b) => String(a.name).localeCompare(String(b.name)));

/** What the two packagings must agree on, for every Berth workload. */
const WORKLOAD_FIELDS: Field[] = [
  ['container name', (w) => w.container.name],
  ['image', (w) => w.container.image],
  ['args', (w) => w.container.args],
  [
    'ports (name, containerPort, protocol)',
    (w) =>
      w.container.ports?.map((port) => ({
        name: port.name,
        containerPort: port.containerPort,
        protocol: port.protocol ?? 'TCP',
      })),
  ],
  ['startupProbe', (w) => w.container.startupProbe],
  ['livenessProbe', (w) => w.container.livenessProbe],
  ['readinessProbe', (w) => w.container.readinessProbe],
  ['pod securityContext', (w) => w.template.spec.securityContext],
  ['container securityContext', (w) => w.container.securityContext],
  ['volumes', (w) => byName(w.template.spec.volumes)],
  ['volumeMounts', (w) => byName(w.container.volumeMounts)],
  ['resources', (w) => w.container.resources],
  ['terminationGracePeriodSeconds', (w) => w.template.spec.terminationGracePeriodSeconds ?? 30],
  ['automountServiceAccountToken', (w) => w.template.spec.automountServiceAccountToken],
  ['serviceAccountName', (w) => w.template.spec.serviceAccountName],
  ['envFrom (ConfigMap and Secret names)', (w) => w.container.envFrom],
  ['env', (w) => w.container.env ?? []],
  [
    'Prometheus annotations',
    (w) =>
      Object.fromEntries(
        Object.entries(w.template.metadata.annotations ?? {}).filter(([key]) =>
          key.startsWith('prometheus.io/'),
        ),
      ),
  ],
];

/** Deployment-only fields (the Job has no spread or rollout strategy). */
const DEPLOYMENT_FIELDS: Field[] = [
  [
    'topology spread (key, maxSkew, whenUnsatisfiable)',
    (w) =>
      (
        (w.template.spec as { topologySpreadConstraints?: Record<string, unknown>[] })
          .topologySpreadConstraints ?? []
      ).map(({ topologyKey, maxSkew, whenUnsatisfiable }) => ({ topologyKey, maxSkew, whenUnsatisfiable })),
  ],
  ['rollout strategy', (w) => (w.owner.spec as { strategy?: unknown }).strategy],
];

/** The migrate Job's own knobs. */
const JOB_FIELDS: Field[] = [
  ['backoffLimit', (w) => (w.owner.spec as { backoffLimit?: number }).backoffLimit],
  [
    'activeDeadlineSeconds',
    (w) => (w.owner.spec as { activeDeadlineSeconds?: number }).activeDeadlineSeconds,
  ],
  [
    'ttlSecondsAfterFinished',
    (w) => (w.owner.spec as { ttlSecondsAfterFinished?: number }).ttlSecondsAfterFinished,
  ],
  ['restartPolicy', (w) => (w.template.spec as { restartPolicy?: string }).restartPolicy],
];

const WORKLOADS: [kind: string, name: string, fields: Field[]][] = [
  ['Deployment', 'berth-api', [...WORKLOAD_FIELDS, ...DEPLOYMENT_FIELDS]],
  ['Deployment', 'berth-worker', [...WORKLOAD_FIELDS, ...DEPLOYMENT_FIELDS]],
  ['Job', 'berth-migrate', [...WORKLOAD_FIELDS, ...JOB_FIELDS]],
];

function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((object) => object.kind === kind && object.metadata.name === name);
}

function workload(objects: readonly K8sObject[], kind: string, name: string): Workload | string {
  const owner = find(objects, kind, name);
  if (!owner) return `${kind}/${name} is missing`;
  const template = podTemplates([owner])[0];
  const container = template?.spec.containers.find((candidate) => candidate.name === 'berth');
  if (!template || !container) return `${kind}/${name} has no container "berth"`;
  return { owner, template, container };
}

const show = (value: unknown) => JSON.stringify(value);

function compare(where: string, helm: unknown, kustomize: unknown): string[] {
  // Structural: key order differs between the two renders (helm's toYaml sorts keys).
  return isDeepStrictEqual(helm, kustomize)
    ? []
    : [`${where}: helm ${show(helm)} ≠ kustomize ${show(kustomize)}`];
}

type Spec = Record<string, unknown>;
const specOf = (object: K8sObject | undefined) => (object?.spec ?? {}) as Spec;
const pick = (spec: Spec, keys: string[]) => Object.fromEntries(keys.map((key) => [key, spec[key]]));

/** Every difference between the chart's render and the base's, one line each; empty when they agree. */
function parityDifferences(helm: readonly K8sObject[], kustomize: readonly K8sObject[]): string[] {
  const out: string[] = [];
  for (const [kind, name, fields] of WORKLOADS) {
    const ours = workload(helm, kind, name);
    const theirs = workload(kustomize, kind, name);
    if (typeof ours === 'string' || typeof theirs === 'string') {
      out.push(...[ours, theirs].filter((item): item is string => typeof item === 'string'));
      continue;
    }
    for (const [label, read] of fields)
      out.push(...compare(`${kind}/${name} ${label}`, read(ours), read(theirs)));
    // The chart may add labels (instance, chart), never drop the base's selector labels.
    const selector = (object: K8sObject) =>
      (object.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels ?? {};
    if (kind === 'Deployment') {
      for (const [key, value] of Object.entries(selector(theirs.owner))) {
        if (selector(ours.owner)[key] !== value) out.push(`${kind}/${name} selector lacks ${key}=${value}`);
      }
    }
  }

  const configData = (objects: readonly K8sObject[]) =>
    ((find(objects, 'ConfigMap', 'berth-config') as { data?: Record<string, string> } | undefined)?.data ??
      {}) as Record<string, string>;
  const ourConfig = configData(helm);
  const theirConfig = configData(kustomize);
  for (const key of new Set([...Object.keys(ourConfig), ...Object.keys(theirConfig)])) {
    out.push(...compare(`ConfigMap/berth-config ${key}`, ourConfig[key], theirConfig[key]));
  }

  const servicePorts = (objects: readonly K8sObject[]) =>
    (specOf(find(objects, 'Service', 'berth-api')).ports as unknown[] | undefined) ?? 'missing';
  out.push(...compare('Service/berth-api ports', servicePorts(helm), servicePorts(kustomize)));
  out.push(
    ...compare(
      'Service/berth-api type',
      specOf(find(helm, 'Service', 'berth-api')).type ?? 'ClusterIP',
      specOf(find(kustomize, 'Service', 'berth-api')).type ?? 'ClusterIP',
    ),
  );

  const hpaKeys = ['scaleTargetRef', 'minReplicas', 'maxReplicas', 'metrics', 'behavior'];
  out.push(
    ...compare(
      'HorizontalPodAutoscaler/berth-api',
      pick(specOf(find(helm, 'HorizontalPodAutoscaler', 'berth-api')), hpaKeys),
      pick(specOf(find(kustomize, 'HorizontalPodAutoscaler', 'berth-api')), hpaKeys),
    ),
  );
  for (const name of ['berth-api', 'berth-worker']) {
    const budget = (objects: readonly K8sObject[]) =>
      pick(specOf(find(objects, 'PodDisruptionBudget', name)), ['minAvailable', 'maxUnavailable']);
    out.push(...compare(`PodDisruptionBudget/${name}`, budget(helm), budget(kustomize)));
  }
  const serviceAccount = (objects: readonly K8sObject[]) =>
    (find(objects, 'ServiceAccount', 'berth') as { automountServiceAccountToken?: boolean } | undefined)
      ?.automountServiceAccountToken ?? 'missing';
  out.push(
    ...compare(
      'ServiceAccount/berth automountServiceAccountToken',
      serviceAccount(helm),
      serviceAccount(kustomize),
    ),
  );

  // Same policies by name; the internet egress (the rule that guards the metadata endpoint) rule for rule.
  const policies = (objects: readonly K8sObject[]) =>
    objects
      .filter((object) => object.kind === 'NetworkPolicy')
      .map(objectName)
      .sort();
  out.push(...compare('NetworkPolicy names', policies(helm), policies(kustomize)));
  const internet = (objects: readonly K8sObject[]) =>
    specOf(find(objects, 'NetworkPolicy', 'berth-to-internet-https')).egress ?? 'missing';
  out.push(...compare('NetworkPolicy/berth-to-internet-https egress', internet(helm), internet(kustomize)));
  return out;
}

describe('Helm chart defaults and the Kustomize base', () => {
  const chart = renderHelm(CHART);
  // The base alone: the dev datastores and routing are components on both sides (chart: values toggles).
  const chartWithoutDatastores = chart.filter(
    (object) =>
      !(object.kind === 'NetworkPolicy' && /-(postgres|redis)-from-berth$/.test(object.metadata.name)),
  );
  const base = renderKustomize(BASE);

  it('render the same api, worker and migrate workloads, settings, Service, HPA, PDBs and policies', () => {
    expect(parityDifferences(chartWithoutDatastores, base)).toEqual([]);
  });

  it('report each field that differs, with both values', () => {
    const changed = renderHelm(CHART, {
      set: [
        'api.probes.liveness.periodSeconds=20',
        'worker.resources.limits.memory=1Gi',
        'worker.securityContext.readOnlyRootFilesystem=false',
        'config.logLevel=debug',
        'api.service.port=80',
        'image.tag=0.2.0',
      ],
    });
    const differences = parityDifferences(changed, base).join('\n');
    expect(differences).toContain('Deployment/berth-api livenessProbe: helm');
    expect(differences).toContain('"periodSeconds":20');
    expect(differences).toContain('Deployment/berth-worker resources');
    expect(differences).toContain('Deployment/berth-worker container securityContext');
    expect(differences).toContain('ConfigMap/berth-config LOG_LEVEL: helm "debug" ≠ kustomize "info"');
    expect(differences).toContain('Service/berth-api ports');
    expect(differences).toContain('Job/berth-migrate image: helm "ghcr.io/berth-dev/berth:0.2.0"');
  });

  it('report a workload missing on one side', () => {
    const withoutWorker = chart.filter((object) => object.metadata.name !== 'berth-worker');
    expect(parityDifferences(withoutWorker, base)).toContain('Deployment/berth-worker is missing');
  });
});
