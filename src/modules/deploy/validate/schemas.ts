// Offline schema validation of rendered objects: Kubernetes' own OpenAPI schemas (kubernetes-models) and the
// CRD schemas of the operators Berth's manifests use (@kubernetes-models/*). An object whose apiVersion/kind
// has no schema here is an error: nothing reaches a cluster unchecked.
//
// The packages are devDependencies (~35 MB, kept out of the image: docs/image.md), so they are loaded from a
// checkout's node_modules by path at run time, never imported: the bundle does not pull them in.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type K8sObject, objectName } from './k8s-objects.js';
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

/** Every package the catalogue reads. */
export const SCHEMA_PACKAGES = ['kubernetes-models', ...new Set(Object.values(CRD_PACKAGES).flat())];

/** Schemas no package ships, written here (see each file). */
const LOCAL_MODELS: Record<string, ModelClass> = {
  'autoscaling.k8s.io/v1/VerticalPodAutoscaler': VerticalPodAutoscaler,
};

export interface SchemaCatalog {
  /**
   * Imports the schemas these objects need. Optional where require() loads ES modules (Node, vitest); needed
   * under tsx, whose require hook resolves the packages' own imports with the wrong conditions.
   */
  load(objects: readonly K8sObject[]): Promise<void>;
  /** Problems with one object, as `Kind/name: /path message` lines; empty when it matches its schema. */
  errors(object: K8sObject): string[];
  /** Problems with every object; empty when all match their schemas. */
  allErrors(objects: readonly K8sObject[]): string[];
}

function candidateModules(apiVersion: string, kind: string): string[] {
  const slash = apiVersion.lastIndexOf('/');
  if (slash < 0) return [`kubernetes-models/${apiVersion}/${kind}`];
  const group = apiVersion.slice(0, slash);
  const packages =
    CRD_PACKAGES[group] ?? (group.endsWith('.k8s.io') || !group.includes('.') ? ['kubernetes-models'] : []);
  return packages.map((pkg) => `${pkg}/${apiVersion}/${kind}`);
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

/** The schema packages `root`/node_modules lacks (empty: all there). */
export function missingSchemaPackages(root: string): string[] {
  return SCHEMA_PACKAGES.filter((pkg) => !existsSync(join(root, 'node_modules', pkg, 'package.json')));
}

/** The schemas in `root`/node_modules (a Berth checkout after `npm ci`), or the packages it lacks. */
export function schemaCatalog(
  root: string,
): { ok: true; value: SchemaCatalog } | { ok: false; error: string[] } {
  const missing = missingSchemaPackages(root);
  if (missing.length > 0) return { ok: false, error: missing };
  const load = createRequire(join(root, 'package.json'));
  const cache = new Map<string, ModelClass | null>();

  const files = (apiVersion: string, kind: string) =>
    candidateModules(apiVersion, kind)
      .map((specifier) => join(root, 'node_modules', `${specifier}.js`))
      .filter((file) => existsSync(file));
  const modelOf = (module: Record<string, unknown>, kind: string) =>
    typeof module[kind] === 'function' ? (module[kind] as ModelClass) : undefined;

  const model = (apiVersion: string, kind: string): ModelClass | null => {
    const key = `${apiVersion}/${kind}`;
    if (LOCAL_MODELS[key]) return LOCAL_MODELS[key];
    if (cache.has(key)) return cache.get(key) ?? null;
    // The packages export their files to `import` only; loading the file by path keeps this synchronous
    // (require() of an ES module without top-level await works on Node >= 22.12).
    const found = files(apiVersion, kind)
      .map((file) => modelOf(load(file) as Record<string, unknown>, kind))
      .find(Boolean);
    cache.set(key, found ?? null);
    return found ?? null;
  };

  const loadAll = async (objects: readonly K8sObject[]) => {
    for (const { apiVersion, kind } of objects) {
      const key = `${apiVersion}/${kind}`;
      if (typeof apiVersion !== 'string' || typeof kind !== 'string' || LOCAL_MODELS[key] || cache.has(key))
        continue;
      let found: ModelClass | undefined;
      for (const file of files(apiVersion, kind)) {
        found = modelOf((await import(pathToFileURL(file).href)) as Record<string, unknown>, kind);
        if (found) break;
      }
      cache.set(key, found ?? null);
    }
  };

  const errors = (object: K8sObject): string[] => {
    const name = objectName(object);
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      return [`${name}: apiVersion and kind must be strings`];
    }
    if (!object.metadata?.name) return [`${name}: metadata.name is missing`];
    const found = model(object.apiVersion, object.kind);
    if (!found) return [`${name}: no schema for ${object.apiVersion} ${object.kind}`];
    try {
      new found(object).validate();
      return [];
    } catch (error) {
      return describeFailure(error).map((line) => `${name}: ${line}`);
    }
  };
  return {
    ok: true,
    value: { load: loadAll, errors, allErrors: (objects) => objects.flatMap(errors) },
  };
}
