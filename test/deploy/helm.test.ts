// The Helm chart (deploy/helm/berth): lint, render with the defaults and the production-like values, the
// same schema and policy checks as the Kustomize output, the values schema and the chart's own failures,
// and the toggles. helm comes from src/modules/deploy/validate/k8s-tools.ts: no network, no cluster.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/app/config.js';
import { policyViolations } from '../../src/modules/deploy/validate/index.js';
import { envMap } from '../../src/platform/config/env-map.js';
import {
  type Container,
  type HelmRenderOptions,
  type K8sObject,
  lintHelm,
  podTemplates,
  ROOT,
  renderHelm,
  repoTools,
} from '../support/k8s/render.js';
import { allSchemaErrors, schemaErrors } from '../support/k8s/schemas.js';

const CHART = 'deploy/helm/berth';
const PRODUCTION = `${CHART}/ci/production-values.yaml`;
/** What the image sets (Dockerfile, docs/image.md): part of every role's environment. */
const IMAGE_ENV = { HOST: '0.0.0.0', PORT: '8080', BERTH_DATA_DIR: '/data', NODE_ENV: 'production' };
const KNOWN_ENV = new Set(envMap.map((entry) => entry.env));

const scratch = mkdtempSync(join(tmpdir(), 'berth-helm-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const render = (options: HelmRenderOptions = {}) => renderHelm(CHART, options);
const withSet = (...set: string[]) => render({ set });
/** A values file from an object (for nested or list values that --set spells badly). */
function valuesFile(name: string, values: unknown): string {
  const path = join(scratch, `${name}.yaml`);
  writeFileSync(path, stringify(values));
  return path;
}

const find = (objects: readonly K8sObject[], kind: string, name: string) =>
  objects.find((object) => object.kind === kind && object.metadata.name === name);
const kinds = (objects: readonly K8sObject[]) =>
  objects.map((object) => `${object.kind}/${object.metadata.name}`);
function get(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const object = find(objects, kind, name);
  if (!object) throw new Error(`${kind}/${name} not rendered; got ${kinds(objects).join(', ')}`);
  return object;
}
function berthContainer(objects: readonly K8sObject[], kind: string, name: string): Container {
  const template = podTemplates([get(objects, kind, name)])[0];
  const container = template?.spec.containers.find((candidate) => candidate.name === 'berth');
  if (!container) throw new Error(`${kind}/${name} has no container "berth"`);
  return container;
}
const dataOf = (object: K8sObject) =>
  ((object as { data?: Record<string, string> }).data ??
    (object as { stringData?: Record<string, string> }).stringData ??
    {}) as Record<string, string>;

/** helm's failure for these values: the render must throw, and the message is returned for assertions. */
function renderError(options: HelmRenderOptions): string {
  try {
    render(options);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`helm template succeeded with ${JSON.stringify(options)}`);
}

const defaults = render();
const production = render({ valuesFiles: [PRODUCTION] });

describe('Helm chart: lint and render', () => {
  it('passes helm lint --strict with the defaults and with the production values', () => {
    expect(lintHelm(CHART, { strict: true })).toMatch(/0 chart\(s\) failed/);
    expect(lintHelm(CHART, { strict: true, valuesFiles: [PRODUCTION] })).toMatch(/0 chart\(s\) failed/);
  });

  it('fails helm lint on a bad value, naming it', () => {
    // helm lint reports on stdout, which the tools' run() error leaves out: run the binary here.
    const lint = spawnSync(repoTools.path('helm'), ['lint', CHART, '--set', 'worker.replicas=-1'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(lint.status).toBe(1);
    expect(lint.stdout).toContain("at '/worker/replicas': minimum: got -1, want 0");
  });

  it.each([
    ['defaults', defaults],
    ['production values', production],
  ])('renders objects that match their schemas and pass the policy checks (%s)', (_, objects) => {
    expect(objects.length).toBeGreaterThan(10);
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(policyViolations(objects)).toEqual([]);
  });

  it('catches a rendered object that breaks its schema', () => {
    const api = structuredClone(get(defaults, 'Deployment', 'berth-api')) as K8sObject & {
      spec: { replicas?: unknown };
    };
    api.spec.replicas = 'two';
    expect(schemaErrors(api).join('\n')).toMatch(/replicas/);
  });

  it('catches a weakened security context and an egress rule to the metadata endpoint', () => {
    const objects = render({
      set: ['api.securityContext.readOnlyRootFilesystem=false'],
      valuesFiles: [
        valuesFile('open-egress', {
          networkPolicy: { extraEgress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
        }),
      ],
    });
    const violations = policyViolations(objects).join('\n');
    expect(violations).toMatch(/Deployment\/berth-api container berth: readOnlyRootFilesystem is not true/);
    expect(violations).toMatch(
      /NetworkPolicy\/berth-extra-egress egress\[0\]: 0\.0\.0\.0\/0 includes 169\.254\.0\.0\/16 without excepting it/,
    );
  });

  it('names objects after the release, and as the Kustomize base for the release "berth"', () => {
    expect(kinds(defaults)).toEqual(
      expect.arrayContaining([
        'Deployment/berth-api',
        'Deployment/berth-worker',
        'Job/berth-migrate',
        'Service/berth-api',
        'ServiceAccount/berth',
        'ConfigMap/berth-config',
        'Secret/berth-secrets',
      ]),
    );
    const other = render({ releaseName: 'acme' });
    expect(find(other, 'Deployment', 'acme-berth-api')).toBeDefined();
    expect(berthContainer(other, 'Deployment', 'acme-berth-worker').envFrom).toEqual([
      { configMapRef: { name: 'acme-berth-config' } },
      { secretRef: { name: 'acme-berth-secrets', optional: false } },
    ]);
  });

  it('pins every role to the same image digest when one is given', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const objects = withSet(`image.digest=${digest}`);
    const images = podTemplates(objects)
      .flatMap((template) => template.spec.containers)
      .filter((container) => container.name === 'berth')
      .map((container) => container.image);
    expect(images).toEqual(Array(3).fill(`ghcr.io/berth-dev/berth:0.1.0@${digest}`));
    expect(policyViolations(objects)).toEqual([]);
  });
});

describe('Helm chart: values schema', () => {
  it.each([
    ['api.replicas=two', "at '/api/replicas': got string, want integer"],
    ['config.logLevel=loud', "at '/config/logLevel': value must be one of 'fatal'"],
    ['config.llm.provider=gpt', "at '/config/llm/provider': value must be one of 'offline'"],
    ['image.pullPolicy=Sometimes', "at '/image/pullPolicy': value must be one of"],
    ['image.tag=latest', "at '/image/tag'"],
    ['api.replicas=0', "at '/api/replicas': minimum: got 0, want 1"],
    ['worker.autoscaling.keda.minReplicaCount=0', "at '/worker/autoscaling/keda/minReplicaCount': minimum"],
    ['config.redisPrefix=a:b', "at '/config/redisPrefix': 'a:b' does not match pattern"],
    ['secrets.values.DB_PASSWORD=x', "at '/secrets/values': additional properties 'DB_PASSWORD' not allowed"],
    ['api.replica=3', "at '/api': additional properties 'replica' not allowed"],
    ['api.topologySpread.whenUnsatisfiable=Maybe', "at '/api/topologySpread/whenUnsatisfiable'"],
  ])('rejects --set %s naming the field', (assignment, message) => {
    const error = renderError({ set: [assignment] });
    expect(error).toContain("values don't meet the specifications of the schema");
    expect(error).toContain(message);
  });

  it('rejects a resources block without a memory limit', () => {
    const error = renderError({
      valuesFiles: [valuesFile('no-limit', { worker: { resources: { limits: null } } })],
    });
    expect(error).toContain("at '/worker/resources': missing property 'limits'");
  });
});

describe('Helm chart: rules the schema cannot express', () => {
  it.each([
    [
      ['worker.autoscaling.enabled=true', 'worker.autoscaling.keda.enabled=true'],
      'worker.autoscaling.enabled (HPA) and worker.autoscaling.keda.enabled are both true',
    ],
    [
      ['secrets.create=false'],
      "choose exactly one source of Berth's Secret: secrets.create, secrets.existingSecret or externalSecret.enabled (set: none)",
    ],
    [['secrets.existingSecret=mine'], '(set: secrets.create, secrets.existingSecret)'],
    [
      ['worker.terminationGracePeriodSeconds=20'],
      'worker.terminationGracePeriodSeconds (20 s) must exceed config.worker.shutdownGraceMs (20000 ms)',
    ],
    [
      ['config.server.shutdownGraceMs=30000'],
      'api.terminationGracePeriodSeconds (30 s) must exceed config.server.shutdownGraceMs (30000 ms)',
    ],
    [['config.llm.provider=openai'], 'config.llm.model is required when config.llm.provider is openai'],
    [
      ['postgresql.enabled=false'],
      'secrets.values.DATABASE_URL is required with secrets.create when postgresql.enabled is false',
    ],
    [['api.pdb.maxUnavailable=1'], 'api.pdb: set minAvailable or maxUnavailable, not both'],
    [['gateway.enabled=true'], 'gateway.parentRefs needs at least one Gateway'],
    [
      ['secrets.create=false', 'secrets.existingSecret=mine'],
      "postgresql.auth.password is required when Berth's Secret is not made by the chart",
    ],
  ])('fails %j with a message', (set, message) => {
    expect(renderError({ set })).toContain(message);
  });
});

describe('Helm chart: settings and secrets', () => {
  const configMap = (objects: readonly K8sObject[]) => dataOf(get(objects, 'ConfigMap', 'berth-config'));

  /** Every leaf of `config` in values, with the value the ConfigMap must hold for it. */
  const everySetting = {
    logLevel: 'debug',
    auth: { mode: 'off' },
    redisPrefix: 'acme',
    server: { shutdownGraceMs: 11000, bodyLimitBytes: 2097152, requestTimeoutMs: 90000 },
    llm: {
      provider: 'openai-compatible',
      model: 'qwen3',
      timeoutMs: 61000,
      maxRetries: 3,
      breaker: { consecutiveFailures: 6, halfOpenAfterMs: 31000 },
      openai: { baseUrl: 'https://openai.example/v1' },
      anthropic: { baseUrl: 'https://anthropic.example' },
      ollama: { baseUrl: 'http://ollama.example:11434' },
      openaiCompatible: { baseUrl: 'http://vllm.example:8000/v1' },
    },
    chat: { maxMessageChars: 1234 },
    tasks: { workerConcurrency: 7, maxStepAttempts: 5, retryBaseMs: 1500, maxDescriptionChars: 5000 },
    worker: {
      shutdownGraceMs: 21000,
      leaseMs: 12000,
      reconcileIntervalMs: 2500,
      staleReadyMs: 11000,
      lockDurationMs: 31000,
      stalledIntervalMs: 6000,
      stuckAfterMs: 32000,
    },
    tools: { fetchAllow: ['127.0.0.1:4567', '[::1]:8080'] },
  };
  const leaves = (value: unknown, path: string[] = []): [string[], unknown][] =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.entries(value).flatMap(([key, child]) => leaves(child, [...path, key]))
      : [[path, value]];

  /** Each ConfigMap key must be the env var env-map.ts gives the values key, holding its value. */
  function settingMismatches(config: unknown, data: Record<string, string>): string[] {
    const out: string[] = [];
    const expected = new Map<string, string>();
    for (const [path, value] of leaves(config)) {
      const entry = envMap.find((candidate) => candidate.path.join('.') === path.join('.'));
      if (!entry) out.push(`config.${path.join('.')} is not a Berth setting`);
      else expected.set(entry.env, Array.isArray(value) ? value.join(',') : String(value));
    }
    for (const [env, value] of expected) {
      if (data[env] !== value) out.push(`${env}: ConfigMap has ${JSON.stringify(data[env])}, want ${value}`);
    }
    for (const key of Object.keys(data)) if (!expected.has(key)) out.push(`${key}: not from config`);
    return out;
  }

  it('renders every config key as the environment variable env-map.ts names, numbers as integers', () => {
    const objects = render({ valuesFiles: [valuesFile('every-setting', { config: everySetting })] });
    expect(settingMismatches(everySetting, configMap(objects))).toEqual([]);
  });

  it('catches a ConfigMap that disagrees with the values', () => {
    const broken = { ...configMap(defaults), BERTH_WORKER_CONCURRENCY: '5', WORKER_THREADS: '2' };
    const config = { logLevel: 'info', tasks: { workerConcurrency: 4 } };
    expect(settingMismatches(config, broken)).toEqual(
      expect.arrayContaining([
        'BERTH_WORKER_CONCURRENCY: ConfigMap has "5", want 4',
        'WORKER_THREADS: not from config',
      ]),
    );
  });

  /** The environment a role sees: the image's, then the ConfigMap, then the Secret (envFrom order). */
  function roleEnv(objects: readonly K8sObject[]): Record<string, string> {
    return { ...IMAGE_ENV, ...configMap(objects), ...dataOf(get(objects, 'Secret', 'berth-secrets')) };
  }

  it('renders settings and secrets that Berth itself accepts', () => {
    const cwd = mkdtempSync(join(scratch, 'cwd-'));
    for (const objects of [
      defaults,
      render({ valuesFiles: [valuesFile('every-setting-2', { config: everySetting })] }),
    ]) {
      const loaded = loadConfig({ env: roleEnv(objects), cwd });
      expect(loaded.ok ? 'ok' : loaded.error.message).toBe('ok');
    }
    const broken = loadConfig({ env: { ...roleEnv(defaults), BERTH_REDIS_PREFIX: 'a:b' }, cwd });
    expect(broken.ok).toBe(false);
  });

  it('uses only environment variables Berth knows', () => {
    const names = [
      ...Object.keys(configMap(defaults)),
      ...Object.keys(dataOf(get(defaults, 'Secret', 'berth-secrets'))),
      ...(berthContainer(production, 'Job', 'berth-migrate').env ?? []).map((entry) => entry.name),
    ];
    expect(names.filter((name) => !KNOWN_ENV.has(name))).toEqual([]);
  });

  it("generates the dev passwords once per render: the URLs carry the datastores' passwords", () => {
    const secrets = dataOf(get(defaults, 'Secret', 'berth-secrets'));
    const stores = dataOf(get(defaults, 'Secret', 'berth-datastores'));
    expect(stores.POSTGRES_PASSWORD).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(secrets.DATABASE_URL).toBe(
      `postgres://berth:${stores.POSTGRES_PASSWORD}@berth-postgres:5432/berth`,
    );
    expect(secrets.REDIS_URL).toBe(`redis://:${stores.REDIS_PASSWORD}@berth-redis:6379`);
    expect(secrets.BERTH_API_KEYS).toMatch(/^[A-Za-z0-9]{40}$/);
  });

  it('uses an existing Secret without rendering one', () => {
    const objects = withSet(
      'secrets.create=false',
      'secrets.existingSecret=prod-berth',
      'postgresql.auth.password=pw',
      'redis.auth.password=pw',
    );
    expect(find(objects, 'Secret', 'berth-secrets')).toBeUndefined();
    expect(objects.filter((object) => object.kind === 'ExternalSecret')).toEqual([]);
    for (const kind of ['Deployment/berth-api', 'Deployment/berth-worker', 'Job/berth-migrate']) {
      const [k, name] = kind.split('/') as [string, string];
      expect(berthContainer(objects, k, name).envFrom).toContainEqual({
        secretRef: { name: 'prod-berth', optional: false },
      });
    }
  });

  it('makes the Secret with an ExternalSecret when asked', () => {
    const objects = withSet(
      'secrets.create=false',
      'externalSecret.enabled=true',
      'postgresql.auth.password=pw',
      'redis.auth.password=pw',
    );
    expect(find(objects, 'Secret', 'berth-secrets')).toBeUndefined();
    const external = get(objects, 'ExternalSecret', 'berth-secrets') as K8sObject & {
      spec: { target: { name: string }; data: { secretKey: string }[] };
    };
    expect(external.apiVersion).toBe('external-secrets.io/v1');
    expect(external.spec.target.name).toBe('berth-secrets');
    expect(external.spec.data.map((item) => item.secretKey)).toEqual([
      'DATABASE_URL',
      'REDIS_URL',
      'BERTH_API_KEYS',
    ]);
    expect(schemaErrors(external)).toEqual([]);
  });
});

describe('Helm chart: toggles', () => {
  const externalDatastores = [
    'postgresql.enabled=false',
    'redis.enabled=false',
    'secrets.values.DATABASE_URL=postgres://berth:pw@db.example:5432/berth',
    'secrets.values.REDIS_URL=redis://redis.example:6379',
  ];

  it('runs the dev Postgres and Redis only when enabled', () => {
    const statefulSets = (objects: readonly K8sObject[]) =>
      objects.filter((object) => object.kind === 'StatefulSet').map((object) => object.metadata.name);
    expect(statefulSets(defaults)).toEqual(['berth-postgres', 'berth-redis']);
    const redis = podTemplates([get(defaults, 'StatefulSet', 'berth-redis')])[0]?.spec.containers[0];
    expect(redis?.args?.join(' ')).toMatch(/--appendonly yes --maxmemory-policy noeviction/);
    const objects = withSet(...externalDatastores);
    expect(statefulSets(objects)).toEqual([]);
    expect(find(objects, 'Secret', 'berth-datastores')).toBeUndefined();
    expect(allSchemaErrors(objects)).toEqual([]);
    expect(policyViolations(objects)).toEqual([]);
  });

  it('routes through an Ingress or a Gateway API HTTPRoute, or neither', () => {
    const routes = (objects: readonly K8sObject[]) =>
      objects.filter((object) => object.kind === 'Ingress' || object.kind === 'HTTPRoute').map((o) => o.kind);
    expect(routes(defaults)).toEqual([]);

    const withIngress = withSet('ingress.enabled=true');
    expect(routes(withIngress)).toEqual(['Ingress']);
    const ingress = get(withIngress, 'Ingress', 'berth-api');
    expect(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
    expect(JSON.stringify(ingress)).toContain('{"service":{"name":"berth-api","port":{"name":"http"}}}');

    const route = get(production, 'HTTPRoute', 'berth-api') as K8sObject & {
      spec: { rules: { backendRefs: { name: string; port: number }[] }[] };
    };
    expect(routes(production)).toEqual(['HTTPRoute']);
    expect(route.spec.rules[0]?.backendRefs).toEqual([{ name: 'berth-api', port: 8080 }]);
  });

  it('scales the workers with KEDA on the wait list, following the Redis prefix', () => {
    const objects = withSet('worker.autoscaling.keda.enabled=true', 'config.redisPrefix=acme');
    const scaled = get(objects, 'ScaledObject', 'berth-worker') as K8sObject & {
      spec: { minReplicaCount: number; triggers: { type: string; metadata: Record<string, string> }[] };
    };
    expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    expect(scaled.spec.triggers[0]?.metadata).toMatchObject({
      listName: 'acme:step.run:wait',
      address: 'berth-redis:6379',
    });
    expect(find(objects, 'TriggerAuthentication', 'berth-worker-redis')).toBeDefined();
    expect(find(objects, 'HorizontalPodAutoscaler', 'berth-worker')).toBeUndefined();
    // An autoscaled Deployment leaves its count to the autoscaler.
    expect(
      (get(objects, 'Deployment', 'berth-worker').spec as { replicas?: number }).replicas,
    ).toBeUndefined();
    expect((get(defaults, 'Deployment', 'berth-worker').spec as { replicas?: number }).replicas).toBe(2);
  });

  it('gives the api an HPA with scale-up and scale-down behaviour, and PDBs to both roles', () => {
    const hpa = get(defaults, 'HorizontalPodAutoscaler', 'berth-api') as K8sObject & {
      spec: { behavior?: { scaleUp?: unknown; scaleDown?: unknown } };
    };
    expect(hpa.spec.behavior?.scaleUp).toBeDefined();
    expect(hpa.spec.behavior?.scaleDown).toBeDefined();
    expect(get(production, 'PodDisruptionBudget', 'berth-api').spec).toMatchObject({ minAvailable: 2 });
    expect(get(defaults, 'PodDisruptionBudget', 'berth-worker').spec).toMatchObject({ maxUnavailable: 1 });
    expect(find(withSet('api.pdb.enabled=false'), 'PodDisruptionBudget', 'berth-api')).toBeUndefined();
  });

  it('runs migrations as a pre-install hook only when nothing of the release is needed', () => {
    const hook = (objects: readonly K8sObject[]) =>
      get(objects, 'Job', 'berth-migrate').metadata.annotations ?? {};
    expect(hook(defaults)).toMatchObject({
      'helm.sh/hook': 'post-install,pre-upgrade',
      'helm.sh/hook-delete-policy': 'before-hook-creation',
    });
    expect(hook(production)['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(hook(withSet(...externalDatastores))['helm.sh/hook']).toBe('post-install,pre-upgrade');
    // Before the release exists there is no ServiceAccount of its own nor ConfigMap: settings come as env.
    const job = podTemplates([get(production, 'Job', 'berth-migrate')])[0];
    expect(job?.spec.serviceAccountName).toBeUndefined();
    expect(berthContainer(production, 'Job', 'berth-migrate').env).toContainEqual({
      name: 'BERTH_LLM_PROVIDER',
      value: 'openai',
    });
  });

  it('drops the NetworkPolicies when disabled, and points egress at the external datastores', () => {
    expect(withSet('networkPolicy.enabled=false').filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
    const toPostgres = get(production, 'NetworkPolicy', 'berth-to-postgres') as K8sObject & {
      spec: { egress: { to: unknown[] }[] };
    };
    expect(toPostgres.spec.egress[0]?.to).toEqual([{ ipBlock: { cidr: '10.20.0.0/24' } }]);
  });
});
