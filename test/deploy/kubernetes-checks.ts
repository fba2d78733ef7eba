// Structural checks of rendered Kubernetes manifests that go beyond schemas and the pod policy
// (test/support/k8s): references that must resolve, NetworkPolicy reach, autoscaling, secrets, analysis.
// Each returns the problems it finds, one line each, so a test can prove it fails on a broken input.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type K8sObject, objectName, type PodTemplate, podTemplates, ROOT } from '../support/k8s/render.js';

type Labels = Record<string, string>;
interface Selector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface Peer {
  ipBlock?: { cidr: string; except?: string[] };
  podSelector?: Selector;
  namespaceSelector?: Selector;
}
interface Rule {
  to?: Peer[];
  from?: Peer[];
  ports?: { protocol?: string; port?: number | string }[];
}
interface PolicySpec {
  podSelector: Selector;
  policyTypes?: string[];
  egress?: Rule[];
  ingress?: Rule[];
}

// biome-ignore lint/suspicious/noExplicitAny: rendered objects are untyped YAML; each check reads its fields.
export const specOf = (object: K8sObject): any => (object as { spec?: unknown }).spec ?? {};
export const find = (objects: readonly K8sObject[], kind: string, name?: string) =>
  objects.filter((object) => object.kind === kind && (name === undefined || object.metadata.name === name));

/** Whether a label selector picks these labels (an empty selector picks everything). */
export function selects(selector: Selector | undefined, labels: Labels = {}): boolean {
  if (!selector) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = key in labels;
    const ok =
      operator === 'In'
        ? has && values.includes(labels[key] as string)
        : operator === 'NotIn'
          ? !has || !values.includes(labels[key] as string)
          : operator === 'Exists'
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

/** A ConfigMap value as the roles see it. */
export function configValue(objects: readonly K8sObject[], key: string): string | undefined {
  const configMap = find(objects, 'ConfigMap', 'berth-config')[0] as { data?: Labels } | undefined;
  return configMap?.data?.[key];
}

/** Each HPA (and each KEDA ScaledObject's generated HPA) must say how it scales up and down. */
export function autoscalingWithoutBehavior(objects: readonly K8sObject[]): string[] {
  const out: string[] = [];
  for (const object of objects) {
    const behavior =
      object.kind === 'HorizontalPodAutoscaler'
        ? specOf(object).behavior
        : object.kind === 'ScaledObject'
          ? specOf(object).advanced?.horizontalPodAutoscalerConfig?.behavior
          : undefined;
    if (object.kind !== 'HorizontalPodAutoscaler' && object.kind !== 'ScaledObject') continue;
    for (const direction of ['scaleUp', 'scaleDown']) {
      const rules = behavior?.[direction];
      if (!rules?.policies?.length || rules.stabilizationWindowSeconds === undefined) {
        out.push(`${objectName(object)}: no ${direction} behavior (policies and stabilization window)`);
      }
    }
  }
  return out;
}

const isAutoscaler = (object: K8sObject) =>
  object.kind === 'HorizontalPodAutoscaler' || object.kind === 'ScaledObject';

/** The autoscalers of each workload (`Kind/name`), from their scaleTargetRef (kind Deployment if unset). */
function autoscalersByTarget(objects: readonly K8sObject[]): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const object of objects.filter(isAutoscaler)) {
    const target = specOf(object).scaleTargetRef;
    const key = `${target?.kind ?? 'Deployment'}/${target?.name}`;
    owners.set(key, [...(owners.get(key) ?? []), objectName(object)]);
  }
  return owners;
}

/** KEDA and an HPA on the same workload fight over its replica count. */
export function competingAutoscalers(objects: readonly K8sObject[]): string[] {
  return [...autoscalersByTarget(objects)]
    .filter(([, list]) => list.length > 1)
    .map(([target, list]) => `${target} is scaled by ${list.join(' and ')}`);
}

/** An autoscaler's bounds: HPA minReplicas/maxReplicas, KEDA minReplicaCount/maxReplicaCount. */
export function autoscalerBounds(object: K8sObject): { min?: number; max?: number } {
  const spec = specOf(object);
  return object.kind === 'ScaledObject'
    ? { min: spec.minReplicaCount, max: spec.maxReplicaCount }
    : { min: spec.minReplicas, max: spec.maxReplicas };
}

const SCALED_KINDS = new Set(['Deployment', 'StatefulSet', 'Rollout']);

/**
 * Who sets each workload's count at run time: its autoscalers, and for the Deployment a Rollout takes its
 * pods from (workloadRef), that Rollout, which scales it down.
 */
function replicaOwners(objects: readonly K8sObject[]): Map<string, string[]> {
  const owners = autoscalersByTarget(objects);
  for (const rollout of find(objects, 'Rollout')) {
    const ref = specOf(rollout).workloadRef;
    if (!ref) continue;
    const key = `${ref.kind ?? 'Deployment'}/${ref.name}`;
    owners.set(key, [...(owners.get(key) ?? []), objectName(rollout)]);
  }
  return owners;
}

/**
 * A workload whose count something else owns must not carry spec.replicas: every `kubectl apply`, Argo CD
 * sync or Flux reconcile would put back the manifest's count over what the HPA or KEDA chose.
 */
export function replicasUnderAutoscaler(objects: readonly K8sObject[]): string[] {
  const owners = replicaOwners(objects);
  const out: string[] = [];
  for (const object of objects.filter((candidate) => SCALED_KINDS.has(candidate.kind))) {
    const { replicas } = specOf(object);
    const list = owners.get(objectName(object));
    if (replicas === undefined || !list) continue;
    out.push(
      `${objectName(object)} sets spec.replicas ${replicas} though ${list.join(' and ')} owns its count`,
    );
  }
  return out;
}

/** A workload with neither spec.replicas nor an owner of its count runs the default single pod. */
export function unscaledWorkloads(objects: readonly K8sObject[]): string[] {
  const owners = replicaOwners(objects);
  return objects
    .filter(
      (object) =>
        SCALED_KINDS.has(object.kind) &&
        specOf(object).replicas === undefined &&
        !owners.has(objectName(object)),
    )
    .map((object) => `${objectName(object)} has no spec.replicas and no autoscaler, so it runs one pod`);
}

/** The egress rules that apply to pods with these labels (NetworkPolicies add up). */
export function egressRulesFor(objects: readonly K8sObject[], labels: Labels): Rule[] {
  return find(objects, 'NetworkPolicy')
    .map((policy) => specOf(policy) as PolicySpec)
    .filter((spec) => (spec.policyTypes ?? []).includes('Egress') && selects(spec.podSelector, labels))
    .flatMap((spec) => spec.egress ?? []);
}

/** `port/PROTOCOL` strings a set of rules opens; `any` for a rule without ports. */
export function openPorts(rules: readonly Rule[]): Set<string> {
  const ports = new Set<string>();
  for (const rule of rules) {
    if (!rule.ports?.length) ports.add('any');
    for (const port of rule.ports ?? []) ports.add(`${port.port ?? 'any'}/${port.protocol ?? 'TCP'}`);
  }
  return ports;
}

/** A NetworkPolicy that selects every pod and allows nothing, in both directions. */
export function hasDefaultDeny(objects: readonly K8sObject[]): boolean {
  return find(objects, 'NetworkPolicy').some((policy) => {
    const spec = specOf(policy) as PolicySpec;
    return (
      Object.keys(spec.podSelector ?? {}).length === 0 &&
      ['Ingress', 'Egress'].every((type) => spec.policyTypes?.includes(type)) &&
      !spec.ingress?.length &&
      !spec.egress?.length
    );
  });
}

const PLACEHOLDER = /change-me/;
/** host:port carries no secret (KEDA's Redis address). */
const ADDRESS = /^[a-z0-9.-]+:\d{1,5}$/;

/** Secret values committed to the repository must be placeholders: empty, `change-me`, or a bare address. */
export function nonPlaceholderSecrets(objects: readonly K8sObject[]): string[] {
  const out: string[] = [];
  for (const secret of find(objects, 'Secret')) {
    const { data = {}, stringData = {} } = secret as { data?: Labels; stringData?: Labels };
    const values = {
      ...stringData,
      ...Object.fromEntries(
        Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
      ),
    };
    for (const [key, value] of Object.entries(values)) {
      if (value === '' || PLACEHOLDER.test(value) || ADDRESS.test(value)) continue;
      out.push(`${objectName(secret)}: ${key} holds a value that is not a placeholder`);
    }
  }
  return out;
}

/** Names of the Secrets a render provides: plain Secrets and the targets of ExternalSecrets. */
function secretNames(objects: readonly K8sObject[]): Set<string> {
  return new Set([
    ...find(objects, 'Secret').map((secret) => secret.metadata.name),
    ...find(objects, 'ExternalSecret').map((es) => specOf(es).target?.name ?? es.metadata.name),
  ]);
}

function podReferences(template: PodTemplate, objects: readonly K8sObject[], secrets: Set<string>): string[] {
  const out: string[] = [];
  const where = objectName(template.owner);
  const configMaps = new Set(find(objects, 'ConfigMap').map((object) => object.metadata.name));
  const account = template.spec.serviceAccountName;
  if (account && find(objects, 'ServiceAccount', account).length === 0) {
    out.push(`${where}: ServiceAccount ${account} is missing`);
  }
  for (const container of [...(template.spec.initContainers ?? []), ...template.spec.containers]) {
    for (const source of container.envFrom ?? []) {
      const config = source.configMapRef?.name;
      const secret = source.secretRef?.name;
      if (config && !configMaps.has(config)) out.push(`${where}: ConfigMap ${config} is missing`);
      if (secret && !secrets.has(secret)) out.push(`${where}: Secret ${secret} is missing`);
    }
    for (const env of container.env ?? []) {
      const ref = (env.valueFrom as { secretKeyRef?: { name: string } } | undefined)?.secretKeyRef?.name;
      if (ref && !secrets.has(ref)) out.push(`${where}: Secret ${ref} (env ${env.name}) is missing`);
    }
  }
  return out;
}

/** Every name one object uses to find another must resolve within the same render. */
export function danglingReferences(objects: readonly K8sObject[]): string[] {
  const secrets = secretNames(objects);
  const templates = podTemplates(objects);
  const out = templates.flatMap((template) => podReferences(template, objects, secrets));
  const podLabels = templates.map((template) => template.metadata.labels ?? {});
  const exists = (kind: string, name: string) => find(objects, kind, name).length > 0;
  for (const object of objects) {
    const spec = specOf(object);
    const where = objectName(object);
    const selector =
      object.kind === 'Service'
        ? { matchLabels: spec.selector }
        : object.kind === 'PodDisruptionBudget'
          ? spec.selector
          : undefined;
    if (selector && !podLabels.some((labels) => selects(selector, labels))) {
      out.push(`${where}: its selector matches no pod template`);
    }
    const target = spec.scaleTargetRef ?? (object.kind === 'Rollout' ? spec.workloadRef : undefined);
    if (target && !exists(target.kind ?? 'Deployment', target.name)) {
      out.push(`${where}: target ${target.kind ?? 'Deployment'}/${target.name} is missing`);
    }
    for (const ref of spec.secretTargetRef ?? []) {
      if (!secrets.has(ref.name)) out.push(`${where}: Secret ${ref.name} is missing`);
    }
    for (const trigger of spec.triggers ?? []) {
      const auth = trigger.authenticationRef?.name;
      if (auth && !exists('TriggerAuthentication', auth)) out.push(`${where}: ${auth} is missing`);
    }
    const backends = [
      ...(spec.rules ?? []).flatMap(
        (rule: { backendRefs?: unknown[]; http?: { paths?: { backend: { service: unknown } }[] } }) => [
          ...(rule.backendRefs ?? []),
          ...(rule.http?.paths ?? []).map((path) => path.backend.service),
        ],
      ),
    ] as { name: string; port: number | { name?: string; number?: number } }[];
    for (const backend of object.kind === 'Ingress' || object.kind === 'HTTPRoute' ? backends : []) {
      const service = find(objects, 'Service', backend.name)[0];
      const port =
        typeof backend.port === 'number' ? backend.port : (backend.port.number ?? backend.port.name);
      const ports = (specOf(service ?? object).ports ?? []) as { port: number; name?: string }[];
      if (!service || !ports.some((entry) => entry.port === port || entry.name === port)) {
        out.push(`${where}: backend ${backend.name}:${port} is not a Service port`);
      }
    }
  }
  return out;
}

/** A Rollout's canary analysis steps must name AnalysisTemplates of the same render. */
export function missingAnalysisTemplates(objects: readonly K8sObject[]): string[] {
  const templates = new Set(find(objects, 'AnalysisTemplate').map((object) => object.metadata.name));
  return find(objects, 'Rollout').flatMap((rollout) =>
    (specOf(rollout).strategy?.canary?.steps ?? [])
      .flatMap(
        (step: { analysis?: { templates?: { templateName: string }[] } }) => step.analysis?.templates ?? [],
      )
      .filter((ref: { templateName: string }) => !templates.has(ref.templateName))
      .map(
        (ref: { templateName: string }) =>
          `${objectName(rollout)}: AnalysisTemplate ${ref.templateName} is missing`,
      ),
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

let berthSources: string[] | undefined;
/**
 * Prometheus labels the scrape attaches, not Berth: the target's, and the pod label Argo Rollouts puts
 * on a revision's pods (the PodMonitor's podTargetLabels), which tells the canary's series apart.
 */
const TARGET_LABELS = new Set([
  'namespace',
  'pod',
  'job',
  'instance',
  'kubernetes_namespace',
  'rollouts_pod_template_hash',
]);

/** Every metric (and label) an analysis queries must be one Berth defines in src/. */
export function unknownAnalysisMetrics(objects: readonly K8sObject[]): string[] {
  berthSources ??= sourceFiles(join(ROOT, 'src')).map((file) => readFileSync(file, 'utf8'));
  const out: string[] = [];
  for (const template of find(objects, 'AnalysisTemplate')) {
    for (const metric of specOf(template).metrics ?? []) {
      const query: string = metric.provider?.prometheus?.query ?? '';
      const names = [...query.matchAll(/\b(berth_[a-z0-9_]+?)(?:_count|_sum|_bucket)?\b/g)].map((m) => m[1]);
      if (names.length === 0) out.push(`${objectName(template)}: ${metric.name} queries no Berth metric`);
      for (const name of new Set(names)) {
        const source = berthSources.find((text) => text.includes(`'${name}'`));
        if (!source) {
          out.push(`${objectName(template)}: Berth exports no metric ${name}`);
          continue;
        }
        for (const [, label] of query.matchAll(/[{,]\s*([a-z_]+)\s*(?:=~|!~|!=|=)/g)) {
          if (label && !TARGET_LABELS.has(label) && !source.includes(`'${label}'`)) {
            out.push(`${objectName(template)}: ${name} has no label ${label}`);
          }
        }
      }
    }
  }
  return out;
}
