// Checks the GitOps definitions (deploy/argocd, deploy/flux) against the overlays they deploy: every file
// matches its CRD schema; every Application, ApplicationSet entry and Flux Kustomization points at an overlay
// that `kubectl kustomize` renders into the namespace it targets; the AppProject admits exactly what the
// overlays render; the ApplicationSet generates the same Applications as the standalone files; production
// is never synced automatically; Flux health-checks what kstatus can read and recreates the migration Job.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  type K8sObject,
  objectName,
  ROOT,
  readManifestDir,
  renderHelm,
  renderKustomize,
} from '../support/k8s/render.js';
import { allSchemaErrors, schemaErrors } from '../support/k8s/schemas.js';

type Resource = { group: string; kind: string };
type Destination = { server: string; namespace: string };
type Application = K8sObject & {
  metadata: { finalizers?: string[] };
  spec: {
    project: string;
    source: { repoURL: string; targetRevision: string; path: string };
    destination: Destination;
    syncPolicy?: {
      automated?: { prune?: boolean; selfHeal?: boolean; enabled?: boolean };
      syncOptions?: string[];
    };
  };
};
type AppProject = K8sObject & {
  spec: {
    sourceRepos: string[];
    destinations: Destination[];
    clusterResourceWhitelist: Resource[];
    namespaceResourceWhitelist: Resource[];
    orphanedResources?: { warn?: boolean };
  };
};
type ApplicationSet = K8sObject & {
  spec: {
    goTemplate: boolean;
    goTemplateOptions?: string[];
    generators: { list: { elements: Record<string, unknown>[] } }[];
    template: { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    templatePatch?: string;
  };
};
type ObjectRef = { apiVersion: string; kind: string; name: string; namespace?: string };
type FluxKustomization = K8sObject & {
  spec: {
    sourceRef: { kind: string; name: string };
    path: string;
    prune: boolean;
    wait?: boolean;
    timeout?: string;
    dependsOn?: { name: string }[];
    healthChecks?: ObjectRef[];
    patches?: { target: { group?: string; kind: string; name: string }; patch: string }[];
  };
};
type GitRepository = K8sObject & { spec: { url: string; ref: { branch?: string; semver?: string } } };
type HelmRelease = K8sObject & {
  spec: {
    releaseName: string;
    targetNamespace: string;
    storageNamespace?: string;
    chart: { spec: { chart: string; sourceRef: { kind: string; name: string }; valuesFiles: string[] } };
  };
};

const argo = readManifestDir('deploy/argocd');
const flux = readManifestDir('deploy/flux');
const ofKind = <T>(objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind) as T[];
const project = ofKind<AppProject>(argo, 'AppProject')[0] as AppProject;
const applications = ofKind<Application>(argo, 'Application');
const applicationSet = ofKind<ApplicationSet>(argo, 'ApplicationSet')[0] as ApplicationSet;
const kustomizations = ofKind<FluxKustomization>(flux, 'Kustomization');
const repositories = ofKind<GitRepository>(flux, 'GitRepository');
const helmReleases = ofKind<HelmRelease>(flux, 'HelmRelease');
const ENVIRONMENTS = ['dev', 'staging', 'production'];

const renders = new Map<string, K8sObject[]>();
/** `kubectl kustomize` of a repository path (`./x` and `x` alike), once per path. */
function render(path: string): K8sObject[] {
  const dir = path.replace(/^\.\//, '');
  if (!renders.has(dir)) renders.set(dir, renderKustomize(dir));
  return renders.get(dir) as K8sObject[];
}

/** The API group of an apiVersion: `apps/v1` → `apps`, `v1` → `` (core). */
const groupOf = (apiVersion: string) => apiVersion.slice(0, Math.max(apiVersion.lastIndexOf('/'), 0));
const key = (r: Resource) => `${r.group}/${r.kind}`;
/** Namespaced objects carry the overlay's namespace after kustomize; cluster-scoped ones carry none. */
const namespaced = (o: K8sObject) => o.metadata.namespace !== undefined;

/** Why Argo CD would refuse (or misplace) `app`'s rendered objects under `appProject`; empty when it would not. */
function projectViolations(appProject: AppProject, app: Application, objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const { spec } = appProject;
  if (app.spec.project !== appProject.metadata.name) problems.push(`${objectName(app)}: not in the project`);
  if (!spec.sourceRepos.includes(app.spec.source.repoURL))
    problems.push(`${app.spec.source.repoURL}: not a source`);
  const target = app.spec.destination;
  if (!spec.destinations.some((d) => d.server === target.server && d.namespace === target.namespace))
    problems.push(`${target.server} ${target.namespace}: not a destination`);
  const allowedNamespaced = new Set(spec.namespaceResourceWhitelist.map(key));
  const allowedCluster = new Set(spec.clusterResourceWhitelist.map(key));
  for (const object of objects) {
    const resource = key({ group: groupOf(object.apiVersion), kind: object.kind });
    if (namespaced(object) && !allowedNamespaced.has(resource)) problems.push(`${resource}: not whitelisted`);
    if (!namespaced(object) && !allowedCluster.has(resource))
      problems.push(`${resource}: cluster-wide, not whitelisted`);
    if (namespaced(object) && object.metadata.namespace !== target.namespace)
      problems.push(`${objectName(object)}: in ${object.metadata.namespace}, not ${target.namespace}`);
  }
  return [...new Set(problems)];
}

/** A minimal Go text/template: `{{.key}}`, `{{if .key}}…{{end}}` and the `{{- `/` -}}` trim markers; anything else throws. */
function goTemplate(template: string, params: Record<string, unknown>): string {
  const texts: string[] = [];
  const actions: string[] = [];
  let last = 0;
  let trimNext = false;
  for (const match of template.matchAll(/\{\{(-\s)?\s*(.*?)\s*(\s-)?\}\}/gs)) {
    let text = template.slice(last, match.index);
    if (trimNext) text = text.trimStart();
    if (match[1]) text = text.trimEnd();
    texts.push(text);
    actions.push(match[2] ?? '');
    trimNext = Boolean(match[3]);
    last = (match.index ?? 0) + match[0].length;
  }
  const tail = template.slice(last);
  texts.push(trimNext ? tail.trimStart() : tail);
  const value = (name: string) => {
    if (!(name in params)) throw new Error(`missing key ${name}`);
    return params[name];
  };
  const open: boolean[] = [];
  let out = '';
  texts.forEach((text, index) => {
    const active = open.every(Boolean);
    if (active) out += text;
    const action = actions[index];
    if (action === undefined) return;
    if (/^if \.\w+$/.test(action)) open.push(Boolean(value(action.slice(4))));
    else if (action === 'end') open.pop();
    else if (/^\.\w+$/.test(action)) out += active ? String(value(action.slice(1))) : '';
    else throw new Error(`unsupported template action {{${action}}}`);
  });
  return out;
}

/** Every string in a value rendered with goTemplate. */
function renderStrings(value: unknown, params: Record<string, unknown>): unknown {
  if (typeof value === 'string') return goTemplate(value, params);
  if (Array.isArray(value)) return value.map((item) => renderStrings(item, params));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderStrings(v, params)]));
  return value;
}

/** A strategic-merge patch without merge keys: maps merge, lists and scalars replace, null deletes. */
function mergePatch(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else if (v && typeof v === 'object' && !Array.isArray(v) && result[k] && typeof result[k] === 'object')
      result[k] = mergePatch(result[k] as Record<string, unknown>, v as Record<string, unknown>);
    else result[k] = v;
  }
  return result;
}

/** The Applications an ApplicationSet's list generator produces (template, then templatePatch). */
function generate(set: ApplicationSet): Application[] {
  return set.spec.generators.flatMap((generator) =>
    generator.list.elements.map((params) => {
      const app = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        ...(renderStrings(set.spec.template, params) as object),
      };
      const patch = set.spec.templatePatch ? parse(goTemplate(set.spec.templatePatch, params)) : {};
      return mergePatch(app, patch ?? {}) as Application;
    }),
  );
}

/** Differences between generated Applications and the standalone ones, compared by name. */
function applicationDifferences(generated: Application[], standalone: Application[]): string[] {
  const names = (apps: Application[]) => apps.map((a) => a.metadata.name).sort();
  if (JSON.stringify(names(generated)) !== JSON.stringify(names(standalone)))
    return [`generated ${names(generated)} vs files ${names(standalone)}`];
  return generated
    .filter((app) => {
      const file = standalone.find((a) => a.metadata.name === app.metadata.name);
      return JSON.stringify(sortKeys(app)) !== JSON.stringify(sortKeys(file));
    })
    .map((app) => `${app.metadata.name} differs`);
}
const sortKeys = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(sortKeys)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, sortKeys(v)]),
        )
      : value;

const autoSynced = (app: Application) =>
  Boolean(app.spec.syncPolicy?.automated) && app.spec.syncPolicy?.automated?.enabled !== false;

describe('every GitOps file', () => {
  it('parses and matches its CRD schema (Argo CD, Flux)', () => {
    // AppProject, 3 Applications, ApplicationSet; 3 GitRepositories (one for the chart), 3 Kustomizations,
    // the HelmRelease.
    expect([...argo, ...flux].length).toBe(1 + 3 + 1 + 3 + 3 + 1);
    expect([...argo, ...flux].flatMap(schemaErrors)).toEqual([]);
  });

  it('is rejected by the schema when a field has the wrong type', () => {
    const broken = structuredClone(applications[0]) as Application;
    (broken.spec.destination as unknown as { namespace: number }).namespace = 7;
    expect(schemaErrors(broken).join('\n')).toMatch(/namespace/);
  });
});

describe('Argo CD', () => {
  it('has one Application per environment, each on its overlay and its namespace', () => {
    expect(applications.map((a) => a.metadata.name).sort()).toEqual(
      ENVIRONMENTS.map((e) => `berth-${e}`).sort(),
    );
    for (const env of ENVIRONMENTS) {
      const app = applications.find((a) => a.metadata.name === `berth-${env}`) as Application;
      expect(app.spec.source.path).toBe(`deploy/kubernetes/overlays/${env}`);
      const objects = render(app.spec.source.path);
      const namespaces = new Set(objects.filter(namespaced).map((o) => o.metadata.namespace));
      expect([...namespaces]).toEqual([app.spec.destination.namespace]);
      // CreateNamespace=false is right only because the overlay renders the Namespace itself.
      expect(app.spec.syncPolicy?.syncOptions).toContain('CreateNamespace=false');
      expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual([
        app.spec.destination.namespace,
      ]);
    }
  });

  it('keeps every Application within the AppProject', () => {
    for (const app of applications)
      expect(projectViolations(project, app, render(app.spec.source.path)), app.metadata.name).toEqual([]);
    expect(project.spec.orphanedResources?.warn).toBe(true);
  });

  it('whitelists no kind the overlays do not render, and only the Namespace cluster-wide', () => {
    const rendered = new Set(
      applications.flatMap((app) =>
        render(app.spec.source.path).map((o) => key({ group: groupOf(o.apiVersion), kind: o.kind })),
      ),
    );
    const listed = [...project.spec.namespaceResourceWhitelist, ...project.spec.clusterResourceWhitelist].map(
      key,
    );
    expect(listed.filter((entry) => !rendered.has(entry))).toEqual([]);
    expect(project.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
    expect(listed.some((entry) => entry.includes('*'))).toBe(false);
  });

  it('detects a kind missing from the whitelist, a foreign destination and a misplaced object', () => {
    const app = applications.find((a) => a.metadata.name === 'berth-production') as Application;
    const objects = render(app.spec.source.path);
    const narrow = structuredClone(project);
    narrow.spec.namespaceResourceWhitelist = narrow.spec.namespaceResourceWhitelist.filter(
      (r) => r.kind !== 'Rollout',
    );
    narrow.spec.clusterResourceWhitelist = [];
    narrow.spec.destinations = narrow.spec.destinations.filter((d) => d.namespace !== 'berth-production');
    const moved = objects.map((o) =>
      o.kind === 'Service' ? { ...o, metadata: { ...o.metadata, namespace: 'x' } } : o,
    );
    expect(projectViolations(narrow, app, moved)).toEqual([
      'https://kubernetes.default.svc berth-production: not a destination',
      '/Namespace: cluster-wide, not whitelisted',
      'Service/berth-api: in x, not berth-production',
      'argoproj.io/Rollout: not whitelisted',
    ]);
  });

  it('syncs dev and staging automatically with prune and self-heal, never production', () => {
    for (const app of [...applications, ...generate(applicationSet)]) {
      const production = app.metadata.name === 'berth-production';
      expect(autoSynced(app), app.metadata.name).toBe(!production);
      if (!production) expect(app.spec.syncPolicy?.automated).toMatchObject({ prune: true, selfHeal: true });
    }
  });

  it('generates from the ApplicationSet exactly the three Applications of the standalone files', () => {
    // templatePatch exists only with Go templates; missingkey=error as goTemplate() does.
    expect(applicationSet.spec).toMatchObject({ goTemplate: true, goTemplateOptions: ['missingkey=error'] });
    const generated = generate(applicationSet);
    expect(applicationDifferences(generated, applications)).toEqual([]);
    for (const app of generated)
      expect(projectViolations(project, app, render(app.spec.source.path)), app.metadata.name).toEqual([]);
    const triples = (apps: Application[]) =>
      apps.map((a) => [a.metadata.name, a.spec.source.path, a.spec.destination.namespace].join(' ')).sort();
    expect(triples(generated)).toEqual(triples(applications));
  });

  it('detects a generated Application that differs, and a patch that wipes the template', () => {
    const renamed = structuredClone(applicationSet);
    (renamed.spec.generators[0]?.list.elements[0] as { env: string }).env = 'qa';
    expect(applicationDifferences(generate(renamed), applications)).toHaveLength(1);
    // argoproj/argo-cd#17040: a bare `spec:` in the patch is applied as null.
    const wiping = structuredClone(applicationSet);
    wiping.spec.templatePatch = 'spec:\n';
    expect(applicationDifferences(generate(wiping), applications)).toEqual(
      ENVIRONMENTS.map((env) => `berth-${env} differs`),
    );
    expect(() => goTemplate('{{ .env | upper }}', { env: 'dev' })).toThrow(/unsupported/);
    expect(() => goTemplate('{{.nope}}', {})).toThrow(/missing key/);
  });
});

/** Kinds kstatus cannot assess: a Flux Kustomization with `wait: true` fails on them. */
const KSTATUS_UNREADABLE = ['argoproj.io/Rollout'];

/** What a Flux Kustomization gets wrong about the objects its path renders; empty when nothing. */
function fluxProblems(kustomization: FluxKustomization, objects: K8sObject[]): string[] {
  const { spec } = kustomization;
  const problems: string[] = [];
  const source = repositories.find((r) => r.metadata.name === spec.sourceRef.name);
  if (spec.sourceRef.kind !== 'GitRepository' || !source) problems.push(`no source ${spec.sourceRef.name}`);
  if (!spec.prune) problems.push('prune is off');
  if (!spec.timeout) problems.push('no timeout');
  const matches = (ref: ObjectRef, o: K8sObject) =>
    ref.apiVersion === o.apiVersion &&
    ref.kind === o.kind &&
    ref.name === o.metadata.name &&
    ref.namespace === o.metadata.namespace;
  if (spec.wait) {
    for (const o of objects.filter((o) => KSTATUS_UNREADABLE.includes(`${groupOf(o.apiVersion)}/${o.kind}`)))
      problems.push(`wait: kstatus cannot read ${objectName(o)}`);
    if (spec.healthChecks?.length) problems.push('healthChecks are ignored with wait');
  } else {
    const checks = spec.healthChecks ?? [];
    for (const ref of checks.filter((r) => !objects.some((o) => matches(r, o))))
      problems.push(`health check of a missing ${ref.kind}/${ref.name}`);
    // Deployments a Rollout takes its pods from are scaled to zero: checking them proves nothing.
    const borrowed = objects.flatMap((o) =>
      o.kind === 'Rollout' ? [(o.spec as { workloadRef?: { name: string } }).workloadRef?.name] : [],
    );
    const workloads = objects.filter(
      (o) =>
        ['StatefulSet', 'Job'].includes(o.kind) ||
        (o.kind === 'Deployment' && !borrowed.includes(o.metadata.name)),
    );
    for (const o of workloads.filter((o) => !checks.some((r) => matches(r, o))))
      problems.push(`${objectName(o)} unchecked`);
  }
  for (const job of objects.filter((o) => o.kind === 'Job')) {
    const patch = spec.patches?.find((p) => p.target.kind === 'Job' && p.target.name === job.metadata.name);
    const annotations = (parse(patch?.patch ?? '{}') as K8sObject | null)?.metadata?.annotations;
    if (annotations?.['kustomize.toolkit.fluxcd.io/force'] !== 'enabled')
      problems.push(`${objectName(job)} not recreated`);
  }
  return problems;
}

/** The overlay rendered with the Kustomization's `patches`, as kustomize-controller applies them. */
function renderWithPatches(kustomization: FluxKustomization): K8sObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'berth-flux-'));
  try {
    const overlay = relative(dir, join(ROOT, kustomization.spec.path));
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      stringify({ resources: [overlay], patches: kustomization.spec.patches }),
    );
    return renderKustomize(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Flux', () => {
  const byEnv = (env: string) =>
    kustomizations.find((k) => k.metadata.name === `berth-${env}`) as FluxKustomization;

  it('has one Kustomization per environment, each rendering its overlay into its namespace', () => {
    expect(kustomizations.map((k) => k.metadata.name).sort()).toEqual(
      ENVIRONMENTS.map((e) => `berth-${e}`).sort(),
    );
    for (const env of ENVIRONMENTS) {
      expect(byEnv(env).spec.path).toBe(`./deploy/kubernetes/overlays/${env}`);
      const namespaces = new Set(
        render(byEnv(env).spec.path)
          .filter(namespaced)
          .map((o) => o.metadata.namespace),
      );
      expect([...namespaces]).toEqual([`berth-${env}`]);
    }
  });

  it.each(ENVIRONMENTS)('health-checks what it can and recreates the migration Job (%s)', (env) => {
    expect(fluxProblems(byEnv(env), render(byEnv(env).spec.path))).toEqual([]);
    const job = renderWithPatches(byEnv(env)).find((o) => o.kind === 'Job');
    expect(job?.metadata.annotations?.['kustomize.toolkit.fluxcd.io/force']).toBe('enabled');
  });

  it('detects wait on a Rollout, a missing or unknown health check and an unrecreatable Job', () => {
    const production = structuredClone(byEnv('production'));
    const objects = render(production.spec.path);
    production.spec.healthChecks = [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'berth-wrker', namespace: 'berth-production' },
    ];
    production.spec.patches = [];
    expect(fluxProblems(production, objects)).toEqual([
      'health check of a missing Deployment/berth-wrker',
      'Deployment/berth-worker unchecked',
      'Job/berth-migrate unchecked',
      'Job/berth-migrate not recreated',
    ]);
    production.spec.wait = true;
    expect(fluxProblems(production, objects)).toContain('wait: kstatus cannot read Rollout/berth-api');
  });

  it('moves production only on release tags, after staging', () => {
    const source = (env: string) =>
      repositories.find((r) => r.metadata.name === byEnv(env).spec.sourceRef.name);
    expect(source('dev')?.spec.ref).toEqual({ branch: 'main' });
    expect(source('staging')?.spec.ref).toEqual({ branch: 'main' });
    expect(source('production')?.spec.ref.semver).toBeTruthy();
    expect(byEnv('production').spec.dependsOn).toEqual([{ name: 'berth-staging' }]);
  });

  it('follows the same repository as Argo CD, with what each source serves in its artifact', () => {
    const chartSources = new Set(helmReleases.map((r) => r.spec.chart.spec.sourceRef.name));
    for (const repository of repositories) {
      expect(repository.spec.url).toBe(project.spec.sourceRepos[0]);
      const kept = chartSources.has(repository.metadata.name) ? '!/deploy/helm/' : '!/deploy/kubernetes/';
      expect((repository.spec as { ignore?: string }).ignore, repository.metadata.name).toContain(kept);
    }
  });
});

describe('Flux HelmRelease', () => {
  const [release] = helmReleases;

  it('installs the chart from a GitRepository in this directory, with the values berth deploy writes', () => {
    expect(helmReleases).toHaveLength(1);
    const { chart, sourceRef, valuesFiles } = (release as HelmRelease).spec.chart.spec;
    expect(sourceRef.kind).toBe('GitRepository');
    expect(repositories.map((r) => r.metadata.name)).toContain(sourceRef.name);
    expect(existsSync(join(ROOT, chart, 'Chart.yaml'))).toBe(true);
    for (const file of valuesFiles) expect(existsSync(join(ROOT, file)), file).toBe(true);
    expect(valuesFiles.at(-1)).toBe('./deploy/helm/berth/values-staging.yaml');
  });

  it('renders, with those values into its namespace, objects that match their schemas', () => {
    const { spec } = release as HelmRelease;
    expect(spec.storageNamespace).toBe(spec.targetNamespace);
    const objects = renderHelm(spec.chart.spec.chart.replace(/^\.\//, ''), {
      releaseName: spec.releaseName,
      namespace: spec.targetNamespace,
      valuesFiles: spec.chart.spec.valuesFiles.map((file) => file.replace(/^\.\//, '')),
    });
    expect(allSchemaErrors(objects)).toEqual([]);
    // The same names as the overlay of that namespace: one or the other owns them, never both.
    const overlay = render(`./deploy/kubernetes/overlays/${spec.targetNamespace.replace(/^berth-/, '')}`);
    const names = (list: K8sObject[], kind: string) =>
      list
        .filter((o) => o.kind === kind)
        .map((o) => o.metadata.name)
        .sort();
    for (const kind of ['Deployment', 'ScaledObject', 'VerticalPodAutoscaler'])
      expect(names(objects, kind), kind).toEqual(names(overlay, kind));
  });
});
