// `berth deploy` against the shipped tree and the real tools: the overlays, the per-environment Helm values
// and the Compose override in deploy/ are exactly what the generator writes for the default config; what it
// writes for another config renders with kubectl kustomize and helm template, matches the Kubernetes and CRD
// schemas and passes the pod and network policy checks. Schemas are checked here only: the schema packages
// are devDependencies, too large for the image (docs/deploy.md, "Generating manifests").
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { configSchema } from '../../src/app/config.js';
import {
  DEPLOY_ENVIRONMENTS,
  type DeployTarget,
  describeIssue,
  type GeneratedFile,
  generateDeployment,
} from '../../src/modules/deploy/index.js';
import { cpuMillis, memoryMi } from '../../src/modules/deploy/namespace-limits.js';
import { envMap } from '../../src/platform/config/env-map.js';
import { runBerth } from '../support/cli.js';
import { policyViolations } from '../support/k8s/policy.js';
import {
  type K8sObject,
  lintHelm,
  objectName,
  podTemplates,
  ROOT,
  renderHelm,
  renderKustomize,
} from '../support/k8s/render.js';
import { allSchemaErrors } from '../support/k8s/schemas.js';
import {
  autoscalerBounds,
  configValue,
  egressRulesFor,
  find,
  hasDefaultDeny,
  specOf,
} from './kubernetes-checks.js';

type Env = (typeof DEPLOY_ENVIRONMENTS)[number];
const DEFAULTS = configSchema.parse({});
const ANTHROPIC_AGENT = { agents: [{ name: 'writer', provider: 'anthropic', model: 'claude-sonnet-4-5' }] };
const SHIPPED: Record<DeployTarget, (env: Env) => string> = {
  kubernetes: (env) => `deploy/kubernetes/overlays/${env}`,
  helm: () => 'deploy/helm/berth',
  compose: () => 'deploy/compose',
};

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-deploy-'));
  temporary.push(dir);
  return dir;
};

function generate(
  raw: Record<string, unknown>,
  target: DeployTarget,
  env: Env,
  outputDir: string,
): GeneratedFile[] {
  const result = generateDeployment({
    config: configSchema.parse(raw),
    defaults: DEFAULTS,
    target,
    env,
    kustomizeRoot: relative(outputDir, join(ROOT, 'deploy/kubernetes')),
    outputFromProject: relative(ROOT, outputDir),
    command: `berth deploy --target ${target} --env ${env}`,
  });
  if (!result.ok) throw new Error(result.error.map(describeIssue).join('\n'));
  return result.value;
}

function write(dir: string, files: readonly GeneratedFile[]) {
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.text);
  }
}

function checked(objects: K8sObject[]): K8sObject[] {
  expect(allSchemaErrors(objects)).toEqual([]);
  expect(policyViolations(objects)).toEqual([]);
  return objects;
}

const apiEgress = (objects: K8sObject[]) =>
  egressRulesFor(objects, { 'app.kubernetes.io/name': 'berth', 'app.kubernetes.io/component': 'api' });

/** Pods a workload can have at once: its autoscaler's maximum (or replicas, 1 for a Job) plus a rollout's surge. */
function maxPods(objects: K8sObject[], owner: K8sObject): number {
  const name = objectName(owner);
  if (find(objects, 'Rollout').some((r) => specOf(r).workloadRef?.name === owner.metadata.name)) return 0;
  const scaler = [...find(objects, 'HorizontalPodAutoscaler'), ...find(objects, 'ScaledObject')].find((a) => {
    const ref = specOf(a).scaleTargetRef;
    return `${ref.kind ?? 'Deployment'}/${ref.name}` === name;
  });
  if (owner.kind === 'Job') return 1;
  const count = scaler ? (autoscalerBounds(scaler).max as number) : (specOf(owner).replicas ?? 1);
  return owner.kind === 'StatefulSet' ? count : count + 1;
}

/** What the rendered pods need at their maximum that the namespace's ResourceQuota or LimitRange refuses. */
function quotaShortfalls(objects: K8sObject[]): string[] {
  const hard = specOf(find(objects, 'ResourceQuota', 'berth')[0] as K8sObject).hard ?? {};
  const max = memoryMi(
    specOf(find(objects, 'LimitRange', 'berth')[0] as K8sObject).limits?.[0]?.max?.memory ?? '0Mi',
  );
  const out: string[] = [];
  const sum = { pods: 0, cpu: 0, memory: 0, limits: 0 };
  for (const template of podTemplates(objects)) {
    const n = maxPods(objects, template.owner);
    sum.pods += n;
    for (const c of [...(template.spec.initContainers ?? []), ...template.spec.containers]) {
      const { requests = {}, limits = {} } = c.resources ?? {};
      if (!requests.cpu || !requests.memory || !limits.memory)
        out.push(`${objectName(template.owner)}/${c.name}: no CPU or memory request, or no memory limit`);
      if (memoryMi(limits.memory ?? '0Mi') > max)
        out.push(`${objectName(template.owner)}/${c.name}: limit above the LimitRange's max`);
      sum.cpu += cpuMillis(requests.cpu ?? '0') * n;
      sum.memory += memoryMi(requests.memory ?? '0Mi') * n;
      sum.limits += memoryMi(limits.memory ?? '0Mi') * n;
    }
  }
  if (sum.pods > Number(hard.pods)) out.push(`pods: ${sum.pods} > ${hard.pods}`);
  if (sum.cpu > cpuMillis(hard['requests.cpu'] ?? '0'))
    out.push(`requests.cpu: ${sum.cpu}m > ${hard['requests.cpu']}`);
  if (sum.memory > memoryMi(hard['requests.memory'] ?? '0Mi'))
    out.push(`requests.memory: ${sum.memory}Mi > ${hard['requests.memory']}`);
  if (sum.limits > memoryMi(hard['limits.memory'] ?? '0Mi'))
    out.push(`limits.memory: ${sum.limits}Mi > ${hard['limits.memory']}`);
  const claims = find(objects, 'StatefulSet').reduce(
    (n, o) => n + (specOf(o).volumeClaimTemplates?.length ?? 0),
    0,
  );
  if (claims > Number(hard.persistentvolumeclaims))
    out.push(`persistentvolumeclaims: ${claims} > ${hard.persistentvolumeclaims}`);
  return out;
}

describe('the shipped deploy/ tree is what berth deploy writes for the default config', () => {
  it.each(DEPLOY_ENVIRONMENTS)('kubernetes %s: deploy/kubernetes/overlays/<env>, file for file', (env) => {
    const dir = join(ROOT, SHIPPED.kubernetes(env));
    const files = generate({}, 'kubernetes', env, dir);
    expect(readdirSync(dir).sort()).toEqual(files.map((f) => f.path).sort());
    for (const file of files) expect(readFileSync(join(dir, file.path), 'utf8'), file.path).toBe(file.text);
  });

  it.each(DEPLOY_ENVIRONMENTS)('helm %s: deploy/helm/berth/values-<env>.yaml', (env) => {
    const dir = join(ROOT, SHIPPED.helm(env));
    for (const file of generate({}, 'helm', env, dir)) {
      expect(readFileSync(join(dir, file.path), 'utf8'), file.path).toBe(file.text);
    }
  });

  it.each(DEPLOY_ENVIRONMENTS)(
    'helm %s: the shipped values pass helm lint --strict and render valid',
    (env) => {
      const valuesFiles = [`deploy/helm/berth/values-${env}.yaml`];
      expect(lintHelm('deploy/helm/berth', { valuesFiles, strict: true })).not.toMatch(/\[ERROR\]/);
      const objects = checked(renderHelm('deploy/helm/berth', { valuesFiles, namespace: `berth-${env}` }));
      expect(quotaShortfalls(objects)).toEqual([]);
    },
  );

  it('compose dev: deploy/compose/berth.dev.yaml', () => {
    const dir = join(ROOT, SHIPPED.compose('dev'));
    for (const file of generate({}, 'compose', 'dev', dir)) {
      expect(readFileSync(join(dir, file.path), 'utf8'), file.path).toBe(file.text);
    }
  });
});

describe('berth deploy output renders and passes the schema and policy checks', () => {
  it.each(DEPLOY_ENVIRONMENTS)('kubernetes %s with an agent on Anthropic', (env) => {
    const dir = tempDir();
    write(dir, generate(ANTHROPIC_AGENT, 'kubernetes', env, dir));
    const objects = checked(renderKustomize(dir));
    expect(hasDefaultDeny(objects)).toBe(true);
    const policy = objects.find(
      (o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'berth-to-llm-providers',
    );
    expect(policy?.metadata.annotations?.['berth.dev/egress-to']).toBe('api.anthropic.com:443');
    // The agents reach the api and the workers through the hashed ConfigMap kustomize generates.
    const file = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('berth-file-'));
    const data = (file?.data ?? {}) as Record<string, string>;
    expect(parse(data['berth.yaml'] as string).agents[0].name).toBe('writer');
    for (const name of ['berth-api', 'berth-worker']) {
      const [deployment] = find(objects, 'Deployment', name);
      expect(specOf(deployment as K8sObject).template.spec.volumes).toContainEqual({
        name: 'berth-file',
        configMap: { name: file?.metadata.name },
      });
    }
    if (env !== 'dev') {
      const [secret] = find(objects, 'ExternalSecret', 'berth-secrets');
      const entries: { secretKey: string; remoteRef: { key: string } }[] = specOf(secret as K8sObject).data;
      expect(entries.map((d) => d.secretKey)).toEqual([
        'DATABASE_URL',
        'REDIS_URL',
        'BERTH_API_KEYS',
        'ANTHROPIC_API_KEY',
      ]);
      expect(entries.at(-1)?.remoteRef.key).toBe(`berth/${env}/anthropic-api-key`);
    }
  });

  it('kubernetes production with only the offline model: no provider egress beyond the base', () => {
    const dir = tempDir();
    write(
      dir,
      generate({ agents: [{ name: 'local', provider: 'offline' }] }, 'kubernetes', 'production', dir),
    );
    const objects = checked(renderKustomize(dir));
    expect(objects.filter((o) => o.metadata.name === 'berth-to-llm-providers')).toEqual([]);
    expect(apiEgress(objects)).toEqual(apiEgress(renderKustomize(SHIPPED.kubernetes('production'))));
  });

  it.each(DEPLOY_ENVIRONMENTS)('helm %s with Gemini: renders through the chart schema, valid', (env) => {
    const dir = tempDir();
    const [values] = generate({ llm: { provider: 'google', model: 'gemini-2.5-flash' } }, 'helm', env, dir);
    const file = join(dir, values?.path as string);
    writeFileSync(file, values?.text as string);
    const objects = checked(
      renderHelm('deploy/helm/berth', { valuesFiles: [file], namespace: `berth-${env}` }),
    );
    expect(configValue(objects, 'BERTH_LLM_PROVIDER')).toBe('google');
  });

  it('compose: every variable the override sets is one Berth reads, on services compose.yaml has', () => {
    const dir = tempDir();
    const [override] = generate(ANTHROPIC_AGENT, 'compose', 'staging', dir);
    const services = parse(override?.text as string).services as Record<
      string,
      { environment: Record<string, string> }
    >;
    const base = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')).services as Record<string, unknown>;
    const known = new Set([...envMap.map((e) => e.env), 'BERTH_CONFIG']);
    for (const [name, service] of Object.entries(services)) {
      expect(base[name], name).toBeDefined();
      expect(Object.keys(service.environment).filter((key) => !known.has(key))).toEqual([]);
    }
  });
});

describe('the namespace quota of each overlay', () => {
  it.each(DEPLOY_ENVIRONMENTS)(
    "%s: holds every pod at its autoscaler's maximum, within the LimitRange",
    (env) => {
      const objects = renderKustomize(SHIPPED.kubernetes(env));
      expect(find(objects, 'ResourceQuota')).toHaveLength(1);
      expect(quotaShortfalls(objects)).toEqual([]);
    },
  );

  it('follows higher bounds and bigger pods, and the check fails on a quota that is too small', () => {
    const dir = tempDir();
    const raw = {
      deploy: {
        environments: {
          staging: {
            worker: { maxReplicas: 60 },
            resources: { worker: { requests: { cpu: '2', memory: '2Gi' }, limits: { memory: '4Gi' } } },
          },
        },
      },
    };
    write(dir, generate(raw, 'kubernetes', 'staging', dir));
    const objects = renderKustomize(dir);
    expect(quotaShortfalls(objects)).toEqual([]);
    const small = renderKustomize(SHIPPED.kubernetes('staging')).filter(
      (o) => o.kind === 'ResourceQuota' || o.kind === 'LimitRange',
    );
    const mixed = [...objects.filter((o) => o.kind !== 'ResourceQuota' && o.kind !== 'LimitRange'), ...small];
    expect(quotaShortfalls(mixed)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pods: \d+ > /),
        expect.stringMatching(/limit above the LimitRange's max/),
      ]),
    );
  });
});

// The CLI loads the app's modules through tsx (~5 s on an idle machine); a busy shared one takes several times that.
const CLI_TIMEOUT = 120_000;

describe('berth deploy, the command', () => {
  it(
    'prints a tree for production with --dry-run that renders and validates',
    async () => {
      const dir = tempDir();
      const config = join(dir, 'berth.yaml');
      writeFileSync(config, stringify(ANTHROPIC_AGENT));
      const result = await runBerth([
        'deploy',
        '--target',
        'kubernetes',
        '--env',
        'production',
        '--dry-run',
        '--config',
        config,
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      // Each file starts with "# File: <path>": put them where they say, in a copy of deploy/kubernetes.
      const copy = join(dir, 'tree');
      cpSync(join(ROOT, 'deploy/kubernetes'), join(copy, 'deploy/kubernetes'), { recursive: true });
      const parts = result.stdout.split(/^---\n# File: (.+)\n/m).slice(1);
      const files = new Map<string, string>();
      for (let i = 0; i < parts.length; i += 2)
        files.set(parts[i] as string, `${(parts[i + 1] as string).trimEnd()}\n`);
      expect([...files.keys()]).toContain('deploy/kubernetes/overlays/production/egress.yaml');
      for (const [path, text] of files) writeFileSync(join(copy, path), text);
      const objects = checked(renderKustomize(join(copy, 'deploy/kubernetes/overlays/production')));
      expect(objects.some((o) => o.metadata.name === 'berth-to-llm-providers')).toBe(true);
    },
    CLI_TIMEOUT,
  );

  it(
    'refuses a private egress host with exit 2 and the key',
    async () => {
      const dir = tempDir();
      const config = join(dir, 'berth.yaml');
      writeFileSync(config, stringify({ tools: { fetchAllow: ['10.0.0.7:8080'] } }));
      const result = await runBerth([
        'deploy',
        '--target',
        'helm',
        '--env',
        'staging',
        '--dry-run',
        '--config',
        config,
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        'berth: deploy: tools.fetchAllow.0: 10.0.0.7:8080 is a private address',
      );
      expect(result.stdout).toBe('');
    },
    CLI_TIMEOUT,
  );
});
