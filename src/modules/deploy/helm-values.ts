// `berth deploy --target helm`: a values file for deploy/helm/berth, one per environment, with the same
// choices as the Kustomize overlay of that environment.

import { envMap } from '../../platform/config/index.js';
import { PROMETHEUS_URL } from './deploy.schema.js';
import { type DeployIssue, issue } from './deploy-issues.js';
import type { DeployPlan } from './deploy-plan.js';
import { egressPeers } from './egress.js';
import { QUEUE_AGE_SECONDS } from './keda-triggers.js';
import { egressLists } from './kubernetes-additions.js';
import { namespaceLimitObjects } from './namespace-limits.js';
import { type GeneratedFile, HEADER, yamlText } from './yaml-text.js';

// Settings the chart has a value for (config.<path>, as in berth.yaml), with the type its schema wants; every
// other one goes to extraEnv of both roles.
type ChartValue = 'string' | 'number' | 'boolean' | 'list';
const CHART_CONFIG: Record<string, ChartValue> = {
  BERTH_LLM_PROVIDER: 'string',
  BERTH_LLM_MODEL: 'string',
  BERTH_REDIS_PREFIX: 'string',
  BERTH_WORKER_CONCURRENCY: 'number',
  OPENAI_BASE_URL: 'string',
  ANTHROPIC_BASE_URL: 'string',
  OLLAMA_BASE_URL: 'string',
  BERTH_LLM_BASE_URL: 'string',
  BERTH_FETCH_ALLOW: 'list',
  BERTH_WEBHOOK_ALLOW: 'list',
  BERTH_SMTP_FROM: 'string',
  BERTH_AUDIT_CHECKPOINT_EVERY: 'number',
  BERTH_APPROVAL_TTL_MS: 'number',
  BERTH_APPROVAL_FOUR_EYES: 'boolean',
  BERTH_COST_ALERT_THRESHOLD: 'number',
  BERTH_TENANT_DAILY_TOKENS: 'number',
  BERTH_TENANT_MONTHLY_TOKENS: 'number',
  BERTH_TENANT_DAILY_USD: 'number',
  BERTH_TENANT_MONTHLY_USD: 'number',
};
const PATHS = new Map(envMap.map((entry) => [entry.env, [...entry.path]]));
const typed = (value: string, as: ChartValue): unknown =>
  as === 'number'
    ? Number(value)
    : as === 'boolean'
      ? value === 'true'
      : as === 'list'
        ? value.split(',')
        : value;

function setPath(target: Record<string, unknown>, path: string[], value: unknown) {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}

export function helmValues(
  plan: DeployPlan,
  command: string,
): { ok: true; value: GeneratedFile[] } | { ok: false; error: DeployIssue[] } {
  if (plan.agents) {
    return {
      ok: false,
      error: [
        issue(
          'agents',
          'the Helm chart cannot carry agents yet (it has no config file); use --target kubernetes or compose',
        ),
      ],
    };
  }
  const { environment: e, env } = plan;
  const config: Record<string, unknown> = { logLevel: e.logLevel };
  const extraEnv: { name: string; value: string }[] = [];
  for (const [name, value] of Object.entries(plan.settings)) {
    const as = CHART_CONFIG[name];
    const path = PATHS.get(name);
    if (as && path) setPath(config, path, typed(value, as));
    else extraEnv.push({ name, value });
  }
  const external = e.datastores !== undefined;
  const secrets = [...plan.baseSecrets, ...plan.extraSecrets].map((ref) => ({
    secretKey: ref.variable,
    remoteRef: { key: ref.remoteKey },
  }));
  const bounds = (b: { minReplicas: number; maxReplicas: number }) => ({
    enabled: true,
    minReplicas: b.minReplicas,
    maxReplicas: b.maxReplicas,
  });
  const min = e.api.minReplicas;
  const apiPdb =
    min === 1
      ? { enabled: true, minAvailable: null, maxUnavailable: 1 }
      : { enabled: true, minAvailable: min === 2 ? 1 : min - 1 };
  const workerAutoscaling =
    e.worker.scaler === 'keda'
      ? {
          enabled: false,
          keda: {
            enabled: true,
            minReplicaCount: e.worker.minReplicas,
            maxReplicaCount: e.worker.maxReplicas,
            listLength: plan.workerConcurrency * 5,
            ...(e.prometheusUrl !== PROMETHEUS_URL
              ? {
                  prometheus: {
                    enabled: true,
                    serverAddress: e.prometheusUrl,
                    queueAgeSeconds: QUEUE_AGE_SECONDS,
                  },
                }
              : {}),
            ...(e.worker.businessHours
              ? { businessHours: { enabled: true, ...e.worker.businessHours } }
              : {}),
            ...(external
              ? {
                  redis: {
                    address: 'berth-redis.example.internal:6379',
                    passwordSecret: { name: 'berth-keda-redis', key: 'password' },
                  },
                }
              : {}),
          },
        }
      : bounds(e.worker);
  const limits = namespaceLimitObjects(plan);
  const egress = egressLists(plan)
    .flatMap((list) => list.targets)
    .map((t) => ({
      to: egressPeers(t),
      ports: [{ protocol: 'TCP', port: t.port }],
    }));
  const values: Record<string, unknown> = {
    image: { repository: plan.image.name, tag: plan.image.tag ?? '', digest: plan.image.digest ?? '' },
    config,
    ...(external
      ? {
          secrets: { create: false },
          externalSecret: { enabled: true, data: secrets },
          postgresql: { enabled: false },
          redis: { enabled: false },
        }
      : {}),
    api: {
      ...(e.resources?.api ? { resources: e.resources.api } : {}),
      autoscaling: bounds(e.api),
      pdb: apiPdb,
      ...(extraEnv.length > 0 ? { extraEnv } : {}),
    },
    worker: {
      ...(e.resources?.worker ? { resources: e.resources.worker } : {}),
      autoscaling: workerAutoscaling,
      ...(e.worker.gvisor ? { runtimeClassName: 'gvisor' } : {}),
      ...(extraEnv.length > 0 ? { extraEnv } : {}),
    },
    ...(env === 'dev'
      ? {
          ingress: {
            enabled: true,
            hosts: [{ host: e.host, paths: [{ path: '/', pathType: 'Prefix' }] }],
            tls: [{ secretName: 'berth-tls', hosts: [e.host] }],
          },
        }
      : {
          gateway: {
            enabled: true,
            parentRefs: [
              {
                group: 'gateway.networking.k8s.io',
                kind: 'Gateway',
                name: 'berth-gateway',
                namespace: 'gateway-system',
              },
            ],
            hostnames: [e.host],
          },
        }),
    networkPolicy: {
      enabled: true,
      ...(env === 'dev'
        ? {}
        : {
            apiIngressFrom: [
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway-system' } } },
            ],
          }),
      ...(external
        ? {
            postgres: { port: 5432, to: [{ ipBlock: { cidr: e.datastores?.postgresCidr } }] },
            redis: { port: 6379, to: [{ ipBlock: { cidr: e.datastores?.redisCidr } }] },
          }
        : {}),
      ...(egress.length > 0 ? { extraEgress: egress } : {}),
    },
    ...(env === 'production' ? { monitoring: { enabled: true } } : {}),
    namespaceLimits: { enabled: true, quota: limits.quota.spec.hard, limits: limits.limitRange.spec.limits },
    ...(e.vpa ? { vpa: { enabled: true } } : {}),
    ...(e.worker.gvisor ? { runtimeClass: { create: true } } : {}),
  };
  const comment = [
    `Values of deploy/helm/berth for ${env}: the same choices as deploy/kubernetes/overlays/${env}. Placeholders: the host,`,
    external
      ? "the datastores' CIDRs, the secret store's keys and KEDA's Redis address."
      : 'the in-chart Postgres and Redis are for trials only.',
    HEADER(command),
    `  helm upgrade --install berth deploy/helm/berth -n berth-${env} -f deploy/helm/berth/values-${env}.yaml`,
  ].join('\n');
  return { ok: true, value: [{ path: `values-${env}.yaml`, text: yamlText([{ comment, value: values }]) }] };
}
