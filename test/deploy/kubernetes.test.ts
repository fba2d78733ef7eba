// Berth's Kustomize manifests (deploy/kubernetes): the base and every overlay render with kubectl's kustomize,
// every object matches its schema (Kubernetes and the operators' CRDs), every pod template passes the policy,
// and the structure holds what the design promises. Each check family also runs once on a broken copy.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { egressToLinkLocal, policyViolations } from '../../src/modules/deploy/validate/index.js';
import { envMap } from '../../src/platform/config/env-map.js';
import { type K8sObject, podTemplates, ROOT, renderKustomize } from '../support/k8s/render.js';
import { allSchemaErrors, schemaErrors } from '../support/k8s/schemas.js';
import {
  autoscalerBounds,
  autoscalingWithoutBehavior,
  competingAutoscalers,
  configValue,
  danglingReferences,
  egressRulesFor,
  find,
  hasDefaultDeny,
  missingAnalysisTemplates,
  nonPlaceholderSecrets,
  openPorts,
  replicasUnderAutoscaler,
  specOf,
  unknownAnalysisMetrics,
  unscaledWorkloads,
} from './kubernetes-checks.js';

const IMAGE = 'ghcr.io/berth-dev/berth';
const TAG = '0.1.0';

/** An environment's replica counts are its autoscalers' bounds: no workload they scale sets `replicas`. */
interface Design {
  dir: string;
  namespace: string;
  api: { min: number; max: number; minAvailable?: number };
  /** The base leaves the workers' autoscaler (and so their count) to the overlays. */
  worker: { scaler: 'keda' | 'hpa'; min: number; max: number } | { scaler: 'none' };
  logLevel: string;
  inClusterDatastores: boolean;
  externalSecrets: boolean;
  canary: boolean;
}

/** What each render must contain: the numbers come from the design, not from the manifests. */
const DESIGNS: Record<string, Design> = {
  base: {
    dir: 'deploy/kubernetes/base',
    namespace: 'berth',
    api: { min: 2, max: 10, minAvailable: 1 },
    worker: { scaler: 'none' },
    logLevel: 'info',
    inClusterDatastores: false,
    externalSecrets: false,
    canary: false,
  },
  dev: {
    dir: 'deploy/kubernetes/overlays/dev',
    namespace: 'berth-dev',
    api: { min: 1, max: 3 },
    worker: { scaler: 'hpa', min: 1, max: 3 },
    logLevel: 'debug',
    inClusterDatastores: true,
    externalSecrets: false,
    canary: false,
  },
  staging: {
    dir: 'deploy/kubernetes/overlays/staging',
    namespace: 'berth-staging',
    api: { min: 2, max: 10, minAvailable: 1 },
    worker: { scaler: 'keda', min: 1, max: 20 },
    logLevel: 'info',
    inClusterDatastores: false,
    externalSecrets: true,
    canary: false,
  },
  production: {
    dir: 'deploy/kubernetes/overlays/production',
    namespace: 'berth-production',
    api: { min: 3, max: 20, minAvailable: 2 },
    // Two at least: a node loss never leaves the queue without a consumer.
    worker: { scaler: 'keda', min: 2, max: 20 },
    logLevel: 'warn',
    inClusterDatastores: false,
    externalSecrets: true,
    canary: true,
  },
};
const OVERLAYS = ['dev', 'staging', 'production'] as const;

const renders = new Map<string, K8sObject[]>();
function render(name: string): K8sObject[] {
  const design = DESIGNS[name] as Design;
  if (!renders.has(name)) renders.set(name, renderKustomize(design.dir));
  return structuredClone(renders.get(name) as K8sObject[]);
}

const one = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = find(objects, kind, name);
  expect(found.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([`${kind}/${name}`]);
  return found[0] as K8sObject;
};
const labelsOf = (objects: K8sObject[], kind: string, name: string) =>
  specOf(one(objects, kind, name)).template.metadata.labels;
const berthContainers = (objects: K8sObject[]) =>
  podTemplates(objects).flatMap((t) => t.spec.containers.filter((c) => c.image?.startsWith(`${IMAGE}:`)));

/** The workers' autoscaler, KEDA's or the HPA's, and its bounds; none in the base. */
function workerScaling(objects: K8sObject[]): {
  scaler: Design['worker']['scaler'];
  min?: number;
  max?: number;
} {
  const scalers = [
    ...find(objects, 'ScaledObject', 'berth-worker').map((object) => ({ scaler: 'keda' as const, object })),
    ...find(objects, 'HorizontalPodAutoscaler', 'berth-worker').map((object) => ({
      scaler: 'hpa' as const,
      object,
    })),
  ];
  expect(scalers.length).toBeLessThanOrEqual(1);
  const [found] = scalers;
  return found ? { scaler: found.scaler, ...autoscalerBounds(found.object) } : { scaler: 'none' };
}

describe.each(Object.keys(DESIGNS))('Kustomize %s', (name) => {
  const design = DESIGNS[name] as Design;

  it('renders, every object in its namespace', () => {
    const objects = render(name);
    expect(one(objects, 'Namespace', design.namespace).metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    const elsewhere = objects.filter(
      (o) => o.kind !== 'Namespace' && o.metadata.namespace !== design.namespace,
    );
    expect(elsewhere.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });

  it('matches the Kubernetes and CRD schemas, every object', () => {
    expect(allSchemaErrors(render(name))).toEqual([]);
  });

  it('passes the pod policy (PSS restricted, read-only root, probes, resources, pinned image, grace)', () => {
    expect(policyViolations(render(name))).toEqual([]);
  });

  it('resolves every reference (ConfigMaps, Secrets, accounts, selectors, scale targets, backends)', () => {
    expect(danglingReferences(render(name))).toEqual([]);
  });

  it('configures Berth only with variables it reads, secrets apart', () => {
    const objects = render(name);
    const known = new Set(envMap.map((entry) => entry.env));
    const keys = [
      ...Object.keys((one(objects, 'ConfigMap', 'berth-config') as { data?: object }).data ?? {}),
      ...find(objects, 'Secret', 'berth-secrets').flatMap((s) =>
        Object.keys((s as { stringData?: object }).stringData ?? {}),
      ),
      ...find(objects, 'ExternalSecret', 'berth-secrets').flatMap((es) =>
        (specOf(es).data ?? []).map((entry: { secretKey: string }) => entry.secretKey),
      ),
    ];
    expect(keys.filter((key) => !known.has(key))).toEqual([]);
    expect(keys).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'BERTH_API_KEYS']));
  });

  it('commits no secret value, only placeholders', () => {
    expect(nonPlaceholderSecrets(render(name))).toEqual([]);
  });

  it('runs one pinned image in every role', () => {
    const images = new Set(berthContainers(render(name)).map((container) => container.image));
    expect([...images]).toEqual([`${IMAGE}:${TAG}`]);
    const roles = podTemplates(render(name)).flatMap((t) => t.spec.containers.map((c) => c.args?.[0]));
    expect(roles).toEqual(expect.arrayContaining(['api', 'worker', 'migrate']));
  });

  it('gives the worker and the api a termination grace above their shutdown grace', () => {
    const objects = render(name);
    const worker = specOf(one(objects, 'Deployment', 'berth-worker')).template.spec;
    const api = specOf(one(objects, 'Deployment', 'berth-api')).template.spec;
    expect(worker.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
      Number(configValue(objects, 'BERTH_WORKER_SHUTDOWN_GRACE_MS')),
    );
    expect(api.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
      Number(configValue(objects, 'BERTH_SHUTDOWN_GRACE_MS')),
    );
  });

  it('autoscales with explicit behaviour, never with KEDA and an HPA on the same workers', () => {
    const objects = render(name);
    expect(autoscalingWithoutBehavior(objects)).toEqual([]);
    expect(competingAutoscalers(objects)).toEqual([]);
  });

  it("sets its replica counts as the autoscalers' bounds, never as spec.replicas they would fight", () => {
    const objects = render(name);
    expect(replicasUnderAutoscaler(objects)).toEqual([]);
    const { min, max } = design.api;
    expect(autoscalerBounds(one(objects, 'HorizontalPodAutoscaler', 'berth-api'))).toEqual({ min, max });
    expect(workerScaling(objects)).toEqual(design.worker);
    // Nothing left at the default single pod by accident; the base alone has no worker autoscaler.
    expect(unscaledWorkloads(objects)).toEqual(
      design.worker.scaler === 'none'
        ? ['Deployment/berth-worker has no spec.replicas and no autoscaler, so it runs one pod']
        : [],
    );
  });

  it('has the log level of its environment', () => {
    expect(configValue(render(name), 'LOG_LEVEL')).toBe(design.logLevel);
  });

  it('keeps pods through voluntary disruptions (PDBs on api and workers)', () => {
    const objects = render(name);
    const api = specOf(one(objects, 'PodDisruptionBudget', 'berth-api'));
    const worker = specOf(one(objects, 'PodDisruptionBudget', 'berth-worker'));
    if (design.api.minAvailable) expect(api.minAvailable).toBe(design.api.minAvailable);
    // A budget that can never be met blocks node drains: minAvailable must stay below the api's minimum.
    if (api.minAvailable !== undefined) expect(api.minAvailable).toBeLessThan(design.api.min);
    else expect(api.maxUnavailable).toBe(1);
    expect(worker.maxUnavailable).toBe(1);
  });

  it('denies by default and never lets egress reach 169.254.0.0/16', () => {
    const objects = render(name);
    expect(hasDefaultDeny(objects)).toBe(true);
    expect(egressToLinkLocal(objects)).toEqual([]);
  });

  it('opens only what each role needs (api/worker: DNS, Postgres, Redis, 443; migrate: DNS, Postgres)', () => {
    const objects = render(name);
    const ports = (kind: string, workload: string) =>
      [...openPorts(egressRulesFor(objects, labelsOf(objects, kind, workload)))].sort();
    const runtime = ['443/TCP', '5432/TCP', '53/TCP', '53/UDP', '6379/TCP'].sort();
    expect(ports('Deployment', 'berth-api')).toEqual(runtime);
    expect(ports('Deployment', 'berth-worker')).toEqual(runtime);
    expect(ports('Job', 'berth-migrate')).toEqual(['5432/TCP', '53/TCP', '53/UDP'].sort());
  });

  it('puts Postgres and Redis where the environment wants them', () => {
    const objects = render(name);
    const statefulSets = find(objects, 'StatefulSet').map((object) => object.metadata.name);
    const egressTo = (policy: string) => specOf(one(objects, 'NetworkPolicy', policy)).egress[0].to[0];
    if (design.inClusterDatastores) {
      expect(statefulSets.sort()).toEqual(['berth-postgres', 'berth-redis']);
      const redis = specOf(one(objects, 'StatefulSet', 'berth-redis')).template.spec.containers[0];
      expect(redis.args.join(' ')).toContain('--maxmemory-policy noeviction');
      expect(redis.args.join(' ')).toContain('--appendonly yes');
      for (const set of find(objects, 'StatefulSet'))
        expect(specOf(set).volumeClaimTemplates).toHaveLength(1);
    } else {
      expect(statefulSets).toEqual([]);
    }
    if (name !== 'base' && !design.inClusterDatastores) {
      // External datastores: the egress rules point at their addresses, not at (absent) pods.
      expect(egressTo('berth-to-postgres')).toEqual({ ipBlock: { cidr: expect.any(String) } });
      expect(egressTo('berth-to-redis')).toEqual({ ipBlock: { cidr: expect.any(String) } });
    }
  });

  it('takes the secrets from the store when the environment uses External Secrets', () => {
    const objects = render(name);
    expect(find(objects, 'Secret', 'berth-secrets')).toHaveLength(design.externalSecrets ? 0 : 1);
    const target = find(objects, 'ExternalSecret', 'berth-secrets').map((es) => specOf(es).target.name);
    expect(target).toEqual(design.externalSecrets ? ['berth-secrets'] : []);
  });

  // Registered only where the design uses it, so the run reports no skipped tests.
  if (design.worker.scaler === 'keda')
    it('scales workers with KEDA on <BERTH_REDIS_PREFIX>:step.run:wait', () => {
      const objects = render(name);
      const scaled = specOf(one(objects, 'ScaledObject', 'berth-worker'));
      const [trigger] = scaled.triggers;
      expect(trigger.type).toBe('redis');
      expect(trigger.metadata.listName).toBe(`${configValue(objects, 'BERTH_REDIS_PREFIX')}:step.run:wait`);
      // At zero workers nothing moves delayed retries to the wait list.
      expect(scaled.minReplicaCount).toBeGreaterThanOrEqual(1);
      expect(scaled.scaleTargetRef.name).toBe('berth-worker');
    });

  if (design.canary)
    it('releases the api as a canary gated by an error rate Berth really exports', () => {
      const objects = render(name);
      const rollout = specOf(one(objects, 'Rollout', 'berth-api'));
      expect(rollout.workloadRef).toMatchObject({ kind: 'Deployment', name: 'berth-api' });
      // The HPA scales the Rollout; Argo Rollouts scales the Deployment down: neither carries a count.
      expect(specOf(one(objects, 'Deployment', 'berth-api')).replicas).toBeUndefined();
      expect(rollout.replicas).toBeUndefined();
      expect(specOf(one(objects, 'HorizontalPodAutoscaler', 'berth-api')).scaleTargetRef.kind).toBe(
        'Rollout',
      );
      const steps = rollout.strategy.canary.steps;
      expect(steps.some((step: object) => 'analysis' in step)).toBe(true);
      expect(missingAnalysisTemplates(objects)).toEqual([]);
      expect(unknownAnalysisMetrics(objects)).toEqual([]);
    });

  if (design.canary)
    it("gates the canary on the eval pass rate of the canary's own pods", () => {
      const objects = render(name);
      const analysis = specOf(one(objects, 'Rollout', 'berth-api')).strategy.canary.steps.find(
        (step: object) => 'analysis' in step,
      ).analysis;
      expect(analysis.templates.map((t: { templateName: string }) => t.templateName)).toContain(
        'berth-eval-pass-rate',
      );
      expect(analysis.args).toContainEqual({
        name: 'canary-hash',
        valueFrom: { podTemplateHashValue: 'Latest' },
      });
      const [metric] = specOf(one(objects, 'AnalysisTemplate', 'berth-eval-pass-rate')).metrics;
      const query: string = metric.provider.prometheus.query;
      expect(query).toContain('berth_eval_pass_rate{');
      expect(query).toContain('rollouts_pod_template_hash="{{args.canary-hash}}"');
      expect(metric.successCondition).toBe('result[0] >= 1');
      // The scrape keeps the label the query selects the canary by.
      expect(specOf(one(objects, 'PodMonitor', 'berth')).podTargetLabels).toContain(
        'rollouts-pod-template-hash',
      );
    });
});

describe('Kustomize overlays and CD', () => {
  const copies: string[] = [];
  afterAll(() => {
    for (const dir of copies) rmSync(dir, { recursive: true, force: true });
  });

  it('renders every component through at least one overlay (components do not build alone)', () => {
    const used = OVERLAYS.flatMap((overlay) => {
      const file = join(ROOT, (DESIGNS[overlay] as Design).dir, 'kustomization.yaml');
      return (parse(readFileSync(file, 'utf8')).components as string[]).map((path) => basename(path));
    });
    // Opt-in components no default overlay lists; generator.test.ts renders each through a generated one.
    const optIn = ['gvisor'];
    const components = readdirSync(join(ROOT, 'deploy/kubernetes/components'));
    expect(components.filter((component) => !used.includes(component) && !optIn.includes(component))).toEqual(
      [],
    );
  });

  it.each(OVERLAYS)('%s pins the image with `images:`, so CD can set it', (overlay) => {
    const dir = join(ROOT, (DESIGNS[overlay] as Design).dir);
    const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'));
    expect(kustomization.images).toEqual([{ name: IMAGE, newName: IMAGE, newTag: TAG }]);
  });

  it.each(OVERLAYS)('%s: a new tag in `images:` (kustomize edit set image) reaches every role', (overlay) => {
    // What `kustomize edit set image` writes, done on a copy of the tree (kubectl has no `edit`).
    const copy = mkdtempSync(join(tmpdir(), 'berth-kustomize-'));
    copies.push(copy);
    cpSync(join(ROOT, 'deploy/kubernetes'), copy, { recursive: true });
    const file = join(copy, 'overlays', overlay, 'kustomization.yaml');
    const kustomization = parse(readFileSync(file, 'utf8'));
    kustomization.images[0].newTag = 'sha-0123abc';
    writeFileSync(file, stringify(kustomization));
    const objects = renderKustomize(join(copy, 'overlays', overlay));
    const images = berthContainers(objects).map((container) => container.image);
    expect(images.length).toBeGreaterThanOrEqual(3);
    expect(new Set(images)).toEqual(new Set([`${IMAGE}:sha-0123abc`]));
  });
});

describe('the checks catch broken manifests', () => {
  const mutate = (name: string, edit: (objects: K8sObject[]) => void) => {
    const objects = render(name);
    edit(objects);
    return objects;
  };
  const workerSpec = (objects: K8sObject[]) =>
    specOf(one(objects, 'Deployment', 'berth-worker')).template.spec;

  it('policy: writable root, :latest, a missing probe, a short grace, a root uid', () => {
    const broken = mutate('dev', (objects) => {
      const spec = workerSpec(objects);
      spec.containers[0].securityContext.readOnlyRootFilesystem = false;
      spec.containers[0].image = `${IMAGE}:latest`;
      delete spec.containers[0].livenessProbe;
      spec.terminationGracePeriodSeconds = 20;
      spec.securityContext.runAsUser = 0;
    });
    const violations = policyViolations(broken).join('\n');
    for (const expected of [
      'readOnlyRootFilesystem',
      ':latest',
      'livenessProbe',
      'terminationGracePeriodSeconds',
      'uid 0',
    ]) {
      expect(violations).toContain(expected);
    }
  });

  it('schema: a string where a number belongs, a CRD field of the wrong type, a version without a schema', () => {
    const objects = render('production');
    const deployment = one(objects, 'Deployment', 'berth-worker');
    expect(schemaErrors({ ...deployment, spec: { ...specOf(deployment), replicas: 'two' } })).not.toEqual([]);
    const scaled = one(objects, 'ScaledObject', 'berth-worker');
    expect(schemaErrors({ ...scaled, spec: { ...specOf(scaled), minReplicaCount: 'one' } })).not.toEqual([]);
    expect(schemaErrors({ ...scaled, apiVersion: 'keda.sh/v9' })).not.toEqual([]);
  });

  it('structure: egress to everywhere, KEDA beside an HPA, no behaviour, a real secret, a dangling ref', () => {
    const broken = mutate('staging', (objects) => {
      specOf(one(objects, 'NetworkPolicy', 'berth-to-internet-https')).egress.push({ ports: [{ port: 80 }] });
      const hpa = structuredClone(one(render('dev'), 'HorizontalPodAutoscaler', 'berth-worker'));
      delete specOf(hpa).behavior;
      objects.push(hpa);
      objects.push({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'x' },
        stringData: { K: 's3cr3t-value' },
      });
      const config = one(objects, 'ConfigMap', 'berth-config');
      config.metadata.name = 'renamed';
    });
    expect(egressToLinkLocal(broken).join()).toContain('every address is allowed');
    expect(competingAutoscalers(broken)).toEqual([
      'Deployment/berth-worker is scaled by ScaledObject/berth-worker and HorizontalPodAutoscaler/berth-worker',
    ]);
    expect(autoscalingWithoutBehavior(broken)).toHaveLength(2);
    expect(nonPlaceholderSecrets(broken)).toEqual(['Secret/x: K holds a value that is not a placeholder']);
    expect(danglingReferences(broken).join()).toContain('ConfigMap berth-config is missing');
    expect(hasDefaultDeny(broken.filter((o) => o.metadata.name !== 'berth-default-deny'))).toBe(false);
  });

  it("replicas: a count on autoscaled workloads and on the Rollout's Deployment, a workload left unscaled", () => {
    const broken = mutate('production', (objects) => {
      specOf(one(objects, 'Deployment', 'berth-worker')).replicas = 3;
      specOf(one(objects, 'Rollout', 'berth-api')).replicas = 3;
      specOf(one(objects, 'Deployment', 'berth-api')).replicas = 2;
    });
    expect(replicasUnderAutoscaler(broken)).toEqual([
      'Deployment/berth-api sets spec.replicas 2 though Rollout/berth-api owns its count',
      'Deployment/berth-worker sets spec.replicas 3 though ScaledObject/berth-worker owns its count',
      'Rollout/berth-api sets spec.replicas 3 though HorizontalPodAutoscaler/berth-api owns its count',
    ]);
    const withoutKeda = mutate('staging', (objects) => {
      objects.splice(objects.indexOf(one(objects, 'ScaledObject', 'berth-worker')), 1);
      // The HPA aimed at a Deployment by a default kind, at a name that does not exist.
      specOf(one(objects, 'HorizontalPodAutoscaler', 'berth-api')).scaleTargetRef = { name: 'berth-apj' };
    });
    expect(unscaledWorkloads(withoutKeda)).toEqual([
      'Deployment/berth-api has no spec.replicas and no autoscaler, so it runs one pod',
      'Deployment/berth-worker has no spec.replicas and no autoscaler, so it runs one pod',
    ]);
    expect(workerScaling(withoutKeda)).toEqual({ scaler: 'none' });
  });

  it('network: 0.0.0.0/0 without excepting the metadata range, and the migrate Job reaching Redis', () => {
    const broken = mutate('dev', (objects) => {
      const internet = specOf(one(objects, 'NetworkPolicy', 'berth-to-internet-https'));
      internet.egress[0].to[0].ipBlock.except = ['10.0.0.0/8'];
      internet.egress[0].to[1].ipBlock.cidr = 'fe80::1/128';
      specOf(one(objects, 'NetworkPolicy', 'berth-to-redis')).podSelector = {};
    });
    expect(egressToLinkLocal(broken)).toEqual([
      'NetworkPolicy/berth-to-internet-https egress[0]: 0.0.0.0/0 includes 169.254.0.0/16 without excepting it',
      'NetworkPolicy/berth-to-internet-https egress[0]: fe80::1/128 is link-local',
    ]);
    const migrate = specOf(one(broken, 'Job', 'berth-migrate')).template.metadata.labels;
    expect([...openPorts(egressRulesFor(broken, migrate))]).toContain('6379/TCP');
  });

  it('canary: a missing AnalysisTemplate, a metric Berth does not export, an unknown label', () => {
    const broken = mutate('production', (objects) => {
      const template = one(objects, 'AnalysisTemplate', 'berth-error-rate');
      const prometheus = specOf(template).metrics[0].provider.prometheus;
      prometheus.query = 'sum(rate(berth_http_requests_total{code=~"5.."}[2m]))';
      template.metadata.name = 'renamed';
      objects.push({ ...structuredClone(template), metadata: { name: 'berth-labels' } });
      specOf(objects.at(-1) as K8sObject).metrics[0].provider.prometheus.query =
        'sum(rate(berth_http_request_duration_seconds_count{http_status="500"}[1m]))';
    });
    expect(missingAnalysisTemplates(broken)).toEqual([
      'Rollout/berth-api: AnalysisTemplate berth-error-rate is missing',
    ]);
    expect(unknownAnalysisMetrics(broken)).toEqual([
      'AnalysisTemplate/renamed: Berth exports no metric berth_http_requests_total',
      'AnalysisTemplate/berth-labels: berth_http_request_duration_seconds has no label http_status',
    ]);
  });
});
