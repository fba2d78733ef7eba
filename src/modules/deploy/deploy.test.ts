import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { Config } from '../../app/config.js';
import { configSchema } from '../../app/config.js';
import { type DeployTarget, describeIssue, type GeneratedFile, generateDeployment } from './index.js';

const DEFAULTS = configSchema.parse({});
const ANTHROPIC_AGENT = {
  agents: [{ name: 'writer', provider: 'anthropic', model: 'claude-sonnet-4-5' }],
};

function generate(
  raw: Record<string, unknown>,
  env: 'dev' | 'staging' | 'production' = 'production',
  target: DeployTarget = 'kubernetes',
  image?: string,
) {
  const config: Config = configSchema.parse(raw);
  return generateDeployment({
    config,
    defaults: DEFAULTS,
    target,
    env,
    image,
    kustomizeRoot: '../..',
    outputFromProject: 'deploy/compose',
    command: `berth deploy --target ${target} --env ${env}`,
  });
}

function files(
  raw: Record<string, unknown>,
  ...rest: Parameters<typeof generate> extends [unknown, ...infer R] ? R : never
) {
  const result = generate(raw, ...rest);
  if (!result.ok) throw new Error(result.error.map(describeIssue).join('\n'));
  return new Map(result.value.map((file: GeneratedFile) => [file.path, file.text]));
}

function problems(
  raw: Record<string, unknown>,
  ...rest: Parameters<typeof generate> extends [unknown, ...infer R] ? R : never
) {
  const result = generate(raw, ...rest);
  if (result.ok) throw new Error('expected the config to be refused');
  return result.error.map(describeIssue);
}

const docs = (text: string | undefined) => parseAllDocuments(text ?? '').map((doc) => doc.toJS());

describe('berth deploy --target kubernetes', () => {
  it('adds exactly what an agent on another provider needs: its secret reference, its egress, the agents file', () => {
    const base = files({});
    const withAgent = files(ANTHROPIC_AGENT);
    const changed = [...withAgent.keys()].filter((path) => withAgent.get(path) !== base.get(path));
    expect(changed.sort()).toEqual(
      [
        'berth.yaml',
        'config-file.yaml',
        'egress.yaml',
        'kustomization.yaml',
        'secret-store-keys.yaml',
      ].sort(),
    );
    expect([...base.keys()].filter((path) => !withAgent.has(path))).toEqual([]);

    const ops = parse(withAgent.get('secret-store-keys.yaml') as string);
    expect(ops.at(-1)).toEqual({
      op: 'add',
      path: '/spec/data/-',
      value: { secretKey: 'ANTHROPIC_API_KEY', remoteRef: { key: 'berth/production/anthropic-api-key' } },
    });
    const [policy] = docs(withAgent.get('egress.yaml'));
    expect(policy.metadata.name).toBe('berth-to-llm-providers');
    expect(policy.metadata.annotations['berth.dev/egress-to']).toBe('api.anthropic.com:443');
    expect(policy.spec.egress).toHaveLength(1);
    expect(policy.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 443 }]);
    expect(policy.spec.egress[0].to[0].ipBlock.except).toContain('10.0.0.0/8');

    const kustomization = parse(withAgent.get('kustomization.yaml') as string);
    expect(kustomization.resources).toEqual(['../../base', 'namespace-limits.yaml', 'egress.yaml']);
    expect(kustomization.configMapGenerator).toEqual([{ name: 'berth-file', files: ['berth.yaml'] }]);
    expect(parse(withAgent.get('berth.yaml') as string).agents[0]).toMatchObject({
      name: 'writer',
      provider: 'anthropic',
    });
  });

  it('opens no provider egress and references no provider key for an offline-only config', () => {
    const offline = files({ agents: [{ name: 'local', provider: 'offline' }] });
    expect(offline.has('egress.yaml')).toBe(false);
    expect(offline.get('secret-store-keys.yaml')).toBe(files({}).get('secret-store-keys.yaml'));
    expect(offline.get('secret-store-keys.yaml')).not.toMatch(/API_KEY"?:|_API_KEY$/m);
    expect(parse(offline.get('kustomization.yaml') as string).resources).toEqual([
      '../../base',
      'namespace-limits.yaml',
    ]);
  });

  it('puts changed settings in the ConfigMap and the KEDA trigger, secrets only as references', () => {
    const out = files({
      llm: { provider: 'openai', model: 'gpt-4.1-mini', openai: { apiKey: 'sk-live-do-not-leak' } },
      tasks: { workerConcurrency: 8 },
      redisPrefix: 'berth-prod',
      tools: { fetchAllow: ['93.184.215.14:8443', 'ollama.models.svc:11434'] },
    });
    for (const text of out.values()) expect(text).not.toContain('sk-live-do-not-leak');
    expect(parse(out.get('config.yaml') as string).data).toEqual({
      LOG_LEVEL: 'warn',
      BERTH_LLM_PROVIDER: 'openai',
      BERTH_LLM_MODEL: 'gpt-4.1-mini',
      BERTH_WORKER_CONCURRENCY: '8',
      BERTH_REDIS_PREFIX: 'berth-prod',
      BERTH_FETCH_ALLOW: '93.184.215.14:8443,ollama.models.svc:11434',
    });
    expect(parse(out.get('keda-trigger.yaml') as string)).toEqual([
      {
        op: 'replace',
        path: '/spec/triggers/1/metadata/query',
        value: 'max(berth_queue_oldest_wait_seconds{namespace="berth-production",queue="step.run"})',
      },
      {
        op: 'replace',
        path: '/spec/triggers/2/metadata/query',
        value: 'max(berth_ready{namespace="berth-production"}) or vector(1)',
      },
      { op: 'replace', path: '/spec/triggers/0/metadata/listName', value: 'berth-prod:step.run:wait' },
      { op: 'replace', path: '/spec/triggers/0/metadata/listLength', value: '40' },
      // With scalingModifiers the formula, not the trigger's listLength, decides: it follows too.
      {
        op: 'replace',
        path: '/spec/advanced/scalingModifiers/formula',
        value: 'store_ready < 1 ? 0 : (waiting / 40 > queue_age / 60 ? waiting / 40 : queue_age / 60)',
      },
    ]);
    const [llm, fetch] = docs(out.get('egress.yaml'));
    expect(llm.metadata.annotations['berth.dev/egress-to']).toBe('api.openai.com:443');
    expect(fetch.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '93.184.215.14/32' } }], ports: [{ protocol: 'TCP', port: 8443 }] },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'models' } } }],
        ports: [{ protocol: 'TCP', port: 11434 }],
      },
    ]);
  });

  it('pins the image by digest when --image has one', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const out = files({}, 'staging', 'kubernetes', `ghcr.io/acme/berth:1.2.3@${digest}`);
    expect(parse(out.get('kustomization.yaml') as string).images).toEqual([
      { name: 'ghcr.io/berth-dev/berth', newName: 'ghcr.io/acme/berth', digest },
    ]);
  });

  it('follows the deploy section: scaler, bounds, host and the PDB that goes with the minimum', () => {
    const out = files(
      {
        deploy: {
          environments: {
            staging: {
              host: 'berth.acme.dev',
              api: { minReplicas: 4, maxReplicas: 8 },
              worker: { scaler: 'hpa' },
            },
          },
        },
      },
      'staging',
    );
    const kustomization = parse(out.get('kustomization.yaml') as string);
    expect(kustomization.components).toContain('../../components/worker-hpa');
    expect(kustomization.components).not.toContain('../../components/keda');
    expect(kustomization.components).not.toContain('../../components/keda-external-secret');
    expect(out.has('keda-secret-store-keys.yaml')).toBe(false);
    expect(JSON.stringify(kustomization.patches)).toContain('berth.acme.dev');
    expect(docs(out.get('pdb.yaml'))[0].spec).toEqual({ minAvailable: 3 });
    expect(docs(out.get('autoscaling.yaml')).map((d) => [d.kind, d.spec])).toEqual([
      ['HorizontalPodAutoscaler', { minReplicas: 4, maxReplicas: 8 }],
      ['HorizontalPodAutoscaler', { minReplicas: 1, maxReplicas: 20 }],
    ]);
  });
});

describe('berth deploy refuses a config it cannot deploy, naming the key', () => {
  it.each([
    [
      { llm: { provider: 'anthropic', model: 'm', anthropic: { baseUrl: 'http://10.1.2.3:8080' } } },
      'llm.anthropic.baseUrl: 10.1.2.3:8080 is a private address',
    ],
    [
      { tools: { fetchAllow: ['127.0.0.1:4567'] } },
      'tools.fetchAllow.0: 127.0.0.1:4567 is a loopback address',
    ],
    [
      { tools: { fetchAllow: ['[fd00::5]:80'] } },
      'tools.fetchAllow.0: [fd00::5]:80 is a uniqueLocal address',
    ],
    [
      { tools: { webhookAllow: ['hooks.example.com:443', '10.0.0.9:8080'] } },
      'tools.webhookAllow.1: 10.0.0.9:8080 is a private address',
    ],
    [
      { tools: { smtp: { url: 'smtp://127.0.0.1:2525' } } },
      'tools.smtp.url: 127.0.0.1:2525 is a loopback address',
    ],
    [
      { approvals: { notifyUrl: 'http://192.168.1.20/hook' } },
      'approvals.notifyUrl: 192.168.1.20:80 is a private address',
    ],
    [{ tools: { smtp: { url: 'smtp://localhost' } } }, 'tools.smtp.url: localhost:587 is the pod itself'],
    [
      { worker: { shutdownGraceMs: 40_000 } },
      "worker.shutdownGraceMs: 40000 ms is not below the pods' terminationGracePeriodSeconds (30 s)",
    ],
    [
      { server: { shutdownGraceMs: 30_000 } },
      "server.shutdownGraceMs: 30000 ms is not below the pods' terminationGracePeriodSeconds (30 s)",
    ],
    [
      { mcp: { servers: [{ name: 'files', command: 'npx', tools: { read: {} } }] } },
      'mcp.servers: berth deploy cannot carry it to the pods yet',
    ],
    [
      { budgets: { tenants: { acme: { dailyTokens: 10 } } } },
      'budgets.tenants: berth deploy cannot carry it to the pods yet',
    ],
    [
      { agents: [{ name: 'local', provider: 'ollama', model: 'llama3.2' }] },
      'llm.ollama.baseUrl: 127.0.0.1:11434 is a loopback address',
    ],
    [
      { llm: { provider: 'openai-compatible', model: 'm' } },
      'llm.openaiCompatible.baseUrl: is required: llm.provider use openai-compatible',
    ],
    [
      {
        ...ANTHROPIC_AGENT,
        deploy: { environments: { production: { secretKeys: { DATABASE_URL: 'db' } } } },
      },
      'deploy.environments.production.secretKeys.ANTHROPIC_API_KEY: is missing: anthropic, for agents.0.provider needs ANTHROPIC_API_KEY',
    ],
    [
      { deploy: { environments: { production: { secretKeys: { MY_TOKEN: 'x' } } } } },
      'deploy.environments.production.secretKeys.MY_TOKEN: is not a secret Berth reads',
    ],
    [
      { deploy: { image: 'ghcr.io/acme/berth' } },
      'deploy.image: "ghcr.io/acme/berth" needs a tag or a digest',
    ],
    [
      { deploy: { image: 'ghcr.io/acme/berth:latest' } },
      'deploy.image: "ghcr.io/acme/berth:latest": "latest" moves',
    ],
  ])('%j', (raw, expected) => {
    expect(problems(raw).join('\n')).toContain(expected);
  });

  it('treats a webhookAllow entry as it treats the same fetchAllow entry', () => {
    for (const entry of ['10.0.0.9:8080', '[fe80::1]:80', '127.0.0.1:4567']) {
      const fetch = problems({ tools: { fetchAllow: [entry] } });
      const webhook = problems({ tools: { webhookAllow: [entry] } });
      expect(webhook).toEqual(fetch.map((p) => p.replace('tools.fetchAllow', 'tools.webhookAllow')));
    }
    const fetch = docs(files({ tools: { fetchAllow: ['hooks.example.com:443'] } }).get('egress.yaml'));
    const webhook = docs(files({ tools: { webhookAllow: ['hooks.example.com:443'] } }).get('egress.yaml'));
    expect(webhook[0].spec).toEqual(fetch[0].spec);
    expect(webhook[0].metadata.name).toBe('berth-to-webhooks');
  });

  it("opens send_email's port: the URL's, else 587 for smtp:// and 465 for smtps://", () => {
    const port = (url: string) =>
      docs(files({ tools: { smtp: { url } } }).get('egress.yaml'))[0].spec.egress[0].ports[0].port;
    expect([
      port('smtp://mail.example.com'),
      port('smtps://mail.example.com'),
      port('smtp://mail.example.com:25'),
    ]).toEqual([587, 465, 25]);
  });

  it('names --image when the option is at fault', () => {
    expect(problems({}, 'dev', 'kubernetes', 'berth@sha256:123')).toEqual([
      '--image: "berth@sha256:123": a digest is sha256: and 64 hex digits',
    ]);
  });

  it('refuses agents for Helm, whose chart cannot carry them yet', () => {
    expect(problems(ANTHROPIC_AGENT, 'production', 'helm')).toEqual([
      'agents: the Helm chart cannot carry agents yet (it has no config file); use --target kubernetes or compose',
    ]);
  });
});

describe('berth deploy --target helm and compose', () => {
  it('gives Helm the provider, its key from the store and its egress', () => {
    const values = parse(
      files({ llm: { provider: 'google', model: 'gemini-2.5-flash' } }, 'staging', 'helm').get(
        'values-staging.yaml',
      ) as string,
    );
    expect(values.config.llm).toEqual({ provider: 'google', model: 'gemini-2.5-flash' });
    expect(values.externalSecret.data.at(-1)).toEqual({
      secretKey: 'GOOGLE_GENERATIVE_AI_API_KEY',
      remoteRef: { key: 'berth/staging/google-generative-ai-api-key' },
    });
    expect(values.networkPolicy.extraEgress).toHaveLength(1);
    expect(values.worker.autoscaling.keda).toMatchObject({
      enabled: true,
      minReplicaCount: 1,
      maxReplicaCount: 20,
    });
  });

  it('makes Compose require the provider key from .env and mount the agents', () => {
    const out = files(ANTHROPIC_AGENT, 'dev', 'compose');
    const override = parse(out.get('berth.dev.yaml') as string);
    expect(override.services.api.environment).toMatchObject({
      LOG_LEVEL: 'debug',
      ANTHROPIC_API_KEY:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's interpolation, not JavaScript's
        '${ANTHROPIC_API_KEY:?set ANTHROPIC_API_KEY in .env (anthropic, for agents.0.provider)}',
      BERTH_CONFIG: '/etc/berth/berth.yaml',
    });
    expect(override.services.worker.volumes).toEqual([
      './deploy/compose/berth.yaml:/etc/berth/berth.yaml:ro',
    ]);
    expect(parse(out.get('berth.yaml') as string).agents[0].name).toBe('writer');
  });
});

describe('the deploy section refuses what the manifests cannot carry, naming the key', () => {
  const refusal = (environment: Record<string, unknown>) => {
    const result = configSchema.safeParse({ deploy: { environments: { dev: environment } } });
    if (result.success) throw new Error('expected the config to be refused');
    return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const hours = { timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '0 18 * * 1-5', replicas: 2 };

  it.each([
    [
      { worker: { businessHours: hours } },
      'deploy.environments.dev.worker.businessHours: needs worker.scaler keda',
    ],
    [
      { worker: { scaler: 'keda', maxReplicas: 3, businessHours: { ...hours, replicas: 5 } } },
      'deploy.environments.dev.worker.businessHours.replicas: must not exceed worker.maxReplicas',
    ],
    [
      { worker: { scaler: 'keda', businessHours: { ...hours, timezone: 'Mars/Olympus' } } },
      'deploy.environments.dev.worker.businessHours.timezone: an IANA time zone',
    ],
    [
      { worker: { scaler: 'keda', businessHours: { ...hours, start: '8am' } } },
      'deploy.environments.dev.worker.businessHours.start: a cron expression of five fields',
    ],
    [{ prometheusUrl: 'prometheus:9090' }, 'deploy.environments.dev.prometheusUrl:'],
    [{ worker: { gvisor: 'yes' } }, 'deploy.environments.dev.worker.gvisor:'],
  ])('%j', (environment, expected) => {
    expect(refusal(environment).join('\n')).toContain(expected);
  });

  it('adds the VPA, gVisor and business-hours pieces only when asked, KEDA trigger and formula following', () => {
    const keda = { scaler: 'keda', maxReplicas: 10 };
    const plain = files({ deploy: { environments: { dev: { worker: keda } } } }, 'dev');
    const asked = files(
      {
        deploy: {
          environments: { dev: { vpa: true, worker: { ...keda, gvisor: true, businessHours: hours } } },
        },
      },
      'dev',
    );
    const components = (out: Map<string, string>) =>
      parse(out.get('kustomization.yaml') as string).components;
    expect(components(plain)).not.toContain('../../components/vpa');
    expect(components(asked)).toEqual(
      expect.arrayContaining(['../../components/keda', '../../components/vpa', '../../components/gvisor']),
    );
    const ops = parse(asked.get('keda-trigger.yaml') as string);
    expect(ops).toContainEqual({
      op: 'add',
      path: '/spec/triggers/-',
      value: {
        type: 'cron',
        name: 'business_hours',
        metadata: { ...hours, replicas: undefined, desiredReplicas: '2' },
      },
    });
    expect(ops.at(-1).value).toBe(
      'store_ready < 1 ? 0 : (business_hours > (waiting / 20 > queue_age / 60 ? waiting / 20 : queue_age / 60)' +
        ' ? business_hours : (waiting / 20 > queue_age / 60 ? waiting / 20 : queue_age / 60))',
    );
    const values = parse(
      (
        generate(
          { deploy: { environments: { dev: { vpa: true, worker: { ...keda, gvisor: true } } } } },
          'dev',
          'helm',
        ) as {
          value: GeneratedFile[];
        }
      ).value[0]?.text as string,
    );
    expect(values.vpa).toEqual({ enabled: true });
    expect(values.runtimeClass).toEqual({ create: true });
    expect(values.worker.runtimeClassName).toBe('gvisor');
  });
});
