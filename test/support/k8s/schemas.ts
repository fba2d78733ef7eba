// Offline schema validation of rendered objects: Kubernetes' own OpenAPI schemas (kubernetes-models) and the
// CRD schemas of the operators Berth's manifests use (@kubernetes-models/*). An object whose apiVersion/kind
// has no schema here is an error: nothing reaches a cluster unchecked.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type K8sObject, objectName, ROOT } from './render.js';
import { VerticalPodAutoscaler } from './vpa-schema.js';

interface ValidationFailure {
  message?: string;
  errors?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[];
}
type ModelClass = new (data: unknown) => { validate(): void };

/** API group → the packages that may hold its schemas (argoproj.io is split between Argo CD and Rollouts). */
const CRD_PACKAGES: Record<string, string[]> = {
  'keda.sh': ['@kubernetes-models/keda'],
  'argoproj.io': ['@kubernetes-models/argo-cd', '@kubernetes-models/argo-rollouts'],
  'source.toolkit.fluxcd.io': ['@kubernetes-models/flux-cd'],
  'kustomize.toolkit.fluxcd.io': ['@kubernetes-models/flux-cd'],
  'helm.toolkit.fluxcd.io': ['@kubernetes-models/flux-cd'],
  'gateway.networking.k8s.io': ['@kubernetes-models/gateway-api'],
  'external-secrets.io': ['@kubernetes-models/external-secrets'],
  'monitoring.coreos.com': ['@kubernetes-models/prometheus-operator'],
};

const require = createRequire(join(ROOT, 'package.json'));
const modelCache = new Map<string, ModelClass | null>();

function candidateModules(apiVersion: string, kind: string): string[] {
  const slash = apiVersion.lastIndexOf('/');
  if (slash < 0) return [`kubernetes-models/${apiVersion}/${kind}`];
  const group = apiVersion.slice(0, slash);
  const packages =
    CRD_PACKAGES[group] ?? (group.endsWith('.k8s.io') || !group.includes('.') ? ['kubernetes-models'] : []);
  return packages.map((pkg) => `${pkg}/${apiVersion}/${kind}`);
}

/** Schemas no package ships, written here (see each file). */
const LOCAL_MODELS: Record<string, ModelClass> = {
  'autoscaling.k8s.io/v1/VerticalPodAutoscaler': VerticalPodAutoscaler,
};

function loadModel(apiVersion: string, kind: string): ModelClass | null {
  const key = `${apiVersion}/${kind}`;
  if (LOCAL_MODELS[key]) return LOCAL_MODELS[key];
  if (modelCache.has(key)) return modelCache.get(key) ?? null;
  let model: ModelClass | null = null;
  for (const specifier of candidateModules(apiVersion, kind)) {
    // The packages export their files to `import` only; loading the file by path keeps this synchronous
    // (require() of an ES module without top-level await works on Node >= 22.12).
    const file = join(ROOT, 'node_modules', `${specifier}.js`);
    if (!existsSync(file)) continue;
    const module = require(file) as Record<string, unknown>;
    if (typeof module[kind] === 'function') {
      model = module[kind] as ModelClass;
      break;
    }
  }
  modelCache.set(key, model);
  return model;
}

function describeFailure(error: unknown): string[] {
  const failure = error as ValidationFailure;
  if (!failure.errors?.length) return [failure.message ?? String(error)];
  return failure.errors.map((item) => {
    const where = item.instancePath || '/';
    const detail =
      item.params && Object.keys(item.params).length > 0 ? ` ${JSON.stringify(item.params)}` : '';
    return `${where} ${item.message ?? 'is invalid'}${detail}`;
  });
}

/** Problems with one object, as `Kind/name: …` lines; empty when it matches its schema. */
export function schemaErrors(object: K8sObject): string[] {
  const name = objectName(object);
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
    return [`${name}: apiVersion and kind must be strings`];
  }
  if (!object.metadata?.name) return [`${name}: metadata.name is missing`];
  const model = loadModel(object.apiVersion, object.kind);
  if (!model) return [`${name}: no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    return describeFailure(error).map((line) => `${name} (${object.apiVersion}): ${line}`);
  }
}

/** Problems with every object; empty when all match their schemas. */
export function allSchemaErrors(objects: readonly K8sObject[]): string[] {
  return objects.flatMap((object) => schemaErrors(object));
}
