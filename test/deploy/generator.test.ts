// `berth deploy` against the shipped tree and the real tools: the overlays, the per-environment Helm values
// and the Compose override in deploy/ are exactly what the generator writes for the default config; what it
// writes for another config renders with kubectl kustomize and helm template, matches the Kubernetes and CRD
// schemas and passes the pod and network policy checks (src/modules/deploy/validate, which the command's
// --dry-run also runs: dry-run.test.ts).
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEPLOY_ENVIRONMENTS, type DeployTarget } from '../../src/modules/deploy/index.js';
import { cpuMillis, memoryMi } from '../../src/modules/deploy/namespace-limits.js';
import { envMap } from '../../src/platform/config/env-map.js';
import { runBerth } from '../support/cli.js';
import {
  type K8sObject,
  lintHelm,
  objectName,
  podTemplates,
  ROOT,
  renderHelm,
  renderKustomize,
} from '../support/k8s/render.js';
import { checked, type Env, generate, tempDir, write } from './generate.js';
import {
  autoscalerBounds,
  configValue,
  egressRulesFor,
  find,
  hasDefaultDeny,
  specOf,
} from './kubernetes-checks.js';

const ANTHROPIC_AGENT = { agents: [{ name: 'writer', provider: 'anthropic', model: 'claude-sonnet-4-5' }] };
const SHIPPED: Record<DeployTarget, (env: Env) => string> = {
  kubernetes: (env) => `deploy/kubernetes/overlays/${env}`,
  helm: () => 'deploy/helm/berth',
  compose: () => 'deploy/compose',
};

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
      expect(result.stderr).toMatch(/^Validated \d+ objects rendered by kubectl kustomize: /);
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

/** The metadata keys each KEDA scaler reads (KEDA's scaler docs): the CRD takes any string map, so a typo passes it. */
const SCALER_KEYS: Record<string, string[]> = {
  redis: ['address', 'listName', 'listLength', 'activationListLength', 'databaseIndex', 'enableTLS'],
  prometheus: ['serverAddress', 'query', 'threshold', 'activationThreshold', 'ignoreNullValues'],
  cron: ['timezone', 'start', 'end', 'desiredReplicas'],
};
type Trigger = { type: string; name?: string; metadata: Record<string, string> };
const scaledObject = (objects: K8sObject[]) =>
  specOf(find(objects, 'ScaledObject', 'berth-worker')[0] as K8sObject) as {
    triggers: Trigger[];
    advanced: { scalingModifiers: { formula: string; target: string; metricType: string } };
  };
/** Every trigger name the formula uses is a trigger's, every trigger's key is one its scaler reads. */
function kedaProblems(objects: K8sObject[]): string[] {
  const { triggers, advanced } = scaledObject(objects);
  const names = triggers.map((t) => t.name ?? '');
  const used: string[] = advanced.scalingModifiers.formula.match(/[a-z_]+/g) ?? [];
  return [
    ...used.filter((word) => !names.includes(word)).map((word) => `formula names ${word}, no trigger does`),
    ...names.filter((name) => !used.includes(name)).map((name) => `trigger ${name} is not in the formula`),
    ...triggers.flatMap((t) =>
      Object.keys(t.metadata)
        .filter((key) => !SCALER_KEYS[t.type]?.includes(key))
        .map((key) => `${t.type} trigger ${t.name}: ${key} is not a ${t.type} scaler key`),
    ),
  ];
}
/** A ScaledObject's triggers and formula as the two packagings must agree on them. */
const scaling = (objects: K8sObject[]) => {
  const { triggers, advanced } = scaledObject(objects);
  return {
    scalingModifiers: advanced.scalingModifiers,
    triggers: triggers.map(({ type, name, metadata }) => {
      const { address: _address, ...rest } = metadata;
      return { type, name, metadata: rest };
    }),
  };
};

describe('KEDA: the wait list, the queue age and the readiness gate', () => {
  it.each(['staging', 'production'] as const)(
    '%s: the overlay and the chart scale on the same triggers and formula, in the namespace they deploy to',
    (env) => {
      const kustomize = renderKustomize(SHIPPED.kubernetes(env));
      const helm = renderHelm('deploy/helm/berth', {
        valuesFiles: [`deploy/helm/berth/values-${env}.yaml`],
        namespace: `berth-${env}`,
      });
      expect(kedaProblems(kustomize)).toEqual([]);
      expect(scaling(helm)).toEqual(scaling(kustomize));
      const queries = scaledObject(kustomize)
        .triggers.filter((t) => t.type === 'prometheus')
        .map((t) => t.metadata.query);
      expect(queries).toEqual([
        `max(berth_queue_oldest_wait_seconds{namespace="berth-${env}",queue="step.run"})`,
        `max(berth_ready{namespace="berth-${env}"}) or vector(1)`,
      ]);
      expect(scaledObject(kustomize).advanced.scalingModifiers.formula).toMatch(/^store_ready < 1 \? 0 : /);
    },
  );

  it('queries metrics Berth exports: berth_queue_oldest_wait_seconds and berth_ready are registered in src', () => {
    const sources = ['src/modules/tasks/tasks.metrics.ts', 'src/platform/http/health.routes.ts'].map((file) =>
      readFileSync(join(ROOT, file), 'utf8'),
    );
    expect(sources[0]).toContain("name: 'berth_queue_oldest_wait_seconds'");
    expect(sources[1]).toContain("name: 'berth_ready'");
  });

  it('catches a formula naming no trigger and a misspelt scaler key', () => {
    const objects = structuredClone(renderKustomize(SHIPPED.kubernetes('staging')));
    const spec = scaledObject(objects);
    spec.advanced.scalingModifiers.formula = spec.advanced.scalingModifiers.formula.replace(
      'waiting',
      'wating',
    );
    (spec.triggers[1] as Trigger).metadata.treshold = '1';
    expect(kedaProblems(objects)).toEqual(
      expect.arrayContaining([
        'formula names wating, no trigger does',
        'prometheus trigger queue_age: treshold is not a prometheus scaler key',
      ]),
    );
  });
});

describe('opt-in pieces: VPA, gVisor for the workers, business hours', () => {
  const raw = {
    deploy: {
      environments: {
        staging: {
          vpa: true,
          worker: {
            gvisor: true,
            businessHours: {
              timezone: 'Europe/Berlin',
              start: '0 8 * * 1-5',
              end: '0 18 * * 1-5',
              replicas: 4,
            },
          },
        },
      },
    },
  };

  it('kubernetes: a RuntimeClass runsc for the workers only, a cron trigger, VPAs recommending only', () => {
    const dir = tempDir();
    write(dir, generate(raw, 'kubernetes', 'staging', dir));
    const objects = checked(renderKustomize(dir));
    const [runtime] = find(objects, 'RuntimeClass', 'gvisor');
    expect((runtime as K8sObject & { handler: string }).handler).toBe('runsc');
    expect(runtime?.metadata.namespace).toBeUndefined();
    const runtimeOf = (name: string) =>
      specOf(find(objects, 'Deployment', name)[0] as K8sObject).template.spec.runtimeClassName;
    expect(runtimeOf('berth-worker')).toBe('gvisor');
    expect(runtimeOf('berth-api')).toBeUndefined();
    expect(kedaProblems(objects)).toEqual([]);
    expect(scaledObject(objects).triggers.at(-1)).toEqual({
      type: 'cron',
      name: 'business_hours',
      metadata: {
        timezone: 'Europe/Berlin',
        start: '0 8 * * 1-5',
        end: '0 18 * * 1-5',
        desiredReplicas: '4',
      },
    });
    const vpas = find(objects, 'VerticalPodAutoscaler');
    expect(
      vpas.map((v) => [v.metadata.name, specOf(v).targetRef.name, specOf(v).updatePolicy.updateMode]),
    ).toEqual([
      ['berth-api', 'berth-api', 'Off'],
      ['berth-worker', 'berth-worker', 'Off'],
    ]);
    // The chart, from the values berth deploy writes for the same config: the same pieces.
    const [values] = generate(raw, 'helm', 'staging', dir);
    const file = join(dir, 'values.yaml');
    writeFileSync(file, values?.text as string);
    const helm = checked(
      renderHelm('deploy/helm/berth', { valuesFiles: [file], namespace: 'berth-staging' }),
    );
    expect(scaling(helm)).toEqual(scaling(objects));
    const helmWorker = specOf(find(helm, 'Deployment', 'berth-worker')[0] as K8sObject).template.spec;
    expect(helmWorker.runtimeClassName).toBe('gvisor');
    expect(specOf(find(helm, 'VerticalPodAutoscaler', 'berth-worker')[0] as K8sObject).updatePolicy).toEqual({
      updateMode: 'Off',
    });
    expect(find(helm, 'RuntimeClass', 'gvisor')).toHaveLength(1);
  });

  it('production: the api VPA follows the Rollout that owns the api pods', () => {
    const objects = checked(renderKustomize(SHIPPED.kubernetes('production')));
    expect(specOf(find(objects, 'VerticalPodAutoscaler', 'berth-api')[0] as K8sObject).targetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'berth-api',
    });
    expect(find(renderKustomize(SHIPPED.kubernetes('dev')), 'VerticalPodAutoscaler')).toEqual([]);
  });
});

describe('a second agent on another provider', () => {
  const first = {
    llm: { openai: { baseUrl: 'https://api.openai.com/v1' } },
    agents: [{ name: 'writer', provider: 'openai', model: 'gpt-4.1-mini' }],
  };
  const second = {
    ...first,
    agents: [...first.agents, { name: 'critic', provider: 'anthropic', model: 'claude-sonnet-4-5' }],
  };
  /** Rendered objects by Kind/name, the berth-file ConfigMap's hash suffix left out. */
  const rendered = (raw: Record<string, unknown>) => {
    const dir = tempDir();
    write(dir, generate(raw, 'kubernetes', 'production', dir));
    const text = JSON.stringify(checked(renderKustomize(dir))).replace(/berth-file-[a-z0-9]+/g, 'berth-file');
    return new Map((JSON.parse(text) as K8sObject[]).map((o) => [objectName(o), o]));
  };

  it('adds its Secret reference and its egress rule, and changes nothing else but the agents file', () => {
    const before = rendered(first);
    const after = rendered(second);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const changed = [...after.keys()].filter(
      (name) => JSON.stringify(after.get(name)) !== JSON.stringify(before.get(name)),
    );
    expect(changed.sort()).toEqual(
      ['ConfigMap/berth-file', 'ExternalSecret/berth-secrets', 'NetworkPolicy/berth-to-llm-providers'].sort(),
    );
    const data = (objects: Map<string, K8sObject>) =>
      specOf(objects.get('ExternalSecret/berth-secrets') as K8sObject).data as { secretKey: string }[];
    expect(data(after).slice(0, -1)).toEqual(data(before));
    expect(data(after).at(-1)).toEqual({
      secretKey: 'ANTHROPIC_API_KEY',
      remoteRef: { key: 'berth/production/anthropic-api-key' },
    });
    const egress = (objects: Map<string, K8sObject>) =>
      specOf(objects.get('NetworkPolicy/berth-to-llm-providers') as K8sObject).egress as unknown[];
    expect(egress(after).slice(0, -1)).toEqual(egress(before));
    expect(egress(after)).toHaveLength(egress(before).length + 1);
    expect(
      after.get('NetworkPolicy/berth-to-llm-providers')?.metadata.annotations?.['berth.dev/egress-to'],
    ).toBe('api.openai.com:443,api.anthropic.com:443');
  });
});
