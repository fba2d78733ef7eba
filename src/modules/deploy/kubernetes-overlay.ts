// `berth deploy --target kubernetes`: a Kustomize overlay on the shipped base and components. The shipped
// overlays (deploy/kubernetes/overlays/*) are this function's output for the default config.
import { stringify } from 'yaml';
import { PROMETHEUS_URL } from './deploy.schema.js';
import type { DeployPlan, SecretRef } from './deploy-plan.js';
import { BASE_IMAGE } from './image-ref.js';
import { kedaFormula, queueAgeQuery, readyQuery } from './keda-triggers.js';
import { agentsFiles, egressFiles } from './kubernetes-additions.js';
import { namespaceLimits } from './namespace-limits.js';
import { type GeneratedFile, HEADER, yamlText } from './yaml-text.js';

const COMPONENT_HOST = 'berth.example.com';

export interface KubernetesOptions {
  /** Path from the output directory to deploy/kubernetes (base and components). */
  kustomizeRoot: string;
  command: string;
}

const DESCRIPTIONS = {
  dev: 'dev: everything in one namespace, Postgres and Redis included (components/in-cluster-datastores), an nginx Ingress.',
  staging:
    'staging: managed Postgres and Redis outside the cluster (egress by CIDR), secrets from the secret store (External\nSecrets Operator), the api behind a Gateway API Gateway.',
  production:
    "production: as staging plus canary releases of the api through Argo Rollouts, and Berth's alerts and dashboard\nfor the Prometheus Operator and Grafana (docs/deploy.md#monitoring).",
} as const;

function components(plan: DeployPlan): string[] {
  const { environment: e, env } = plan;
  const list: string[] = [];
  if (!e.datastores) list.push('in-cluster-datastores');
  list.push(e.worker.scaler === 'keda' ? 'keda' : 'worker-hpa');
  // Before argo-rollouts, which points the api's VPA at the Rollout.
  if (e.vpa) list.push('vpa');
  if (e.worker.gvisor) list.push('gvisor');
  list.push(env === 'dev' ? 'ingress' : 'gateway-api');
  if (e.datastores) {
    list.push('external-secrets');
    if (e.worker.scaler === 'keda') list.push('keda-external-secret');
  }
  if (env === 'production') list.push('argo-rollouts', 'monitoring');
  return list;
}

function imageEntry(plan: DeployPlan) {
  const { name, tag, digest } = plan.image;
  return { name: BASE_IMAGE, newName: name, ...(digest ? { digest } : { newTag: tag }) };
}

function configMap(plan: DeployPlan): GeneratedFile {
  const data: Record<string, string> = { LOG_LEVEL: plan.environment.logLevel, ...plan.settings };
  const value = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'berth-config' }, data };
  return {
    path: 'config.yaml',
    text: yamlText([
      {
        comment:
          'Settings the config changes from the defaults, over the base ConfigMap; secrets go in berth-secrets.',
        value,
      },
    ]),
  };
}

function resources(plan: DeployPlan): GeneratedFile | undefined {
  const r = plan.environment.resources;
  if (!r?.api && !r?.worker) return undefined;
  const patch = (name: string, res: unknown) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { template: { spec: { containers: [{ name: 'berth', resources: res }] } } },
  });
  const docs = [
    ...(r.api ? [{ value: patch('berth-api', r.api) }] : []),
    ...(r.worker ? [{ value: patch('berth-worker', r.worker) }] : []),
  ];
  docs[0] = {
    ...docs[0],
    comment: `Requests and limits from deploy.environments.${plan.env}.resources; no CPU limits (see the base).`,
  } as (typeof docs)[number];
  return { path: 'resources.yaml', text: yamlText(docs) };
}

function autoscaling(plan: DeployPlan): GeneratedFile {
  const { api, worker } = plan.environment;
  const hpa = (name: string, min: number, max: number) => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: { minReplicas: min, maxReplicas: max },
  });
  const workerDoc =
    worker.scaler === 'keda'
      ? {
          comment:
            worker.minReplicas > 1
              ? `${worker.minReplicas} workers at least, so a node loss never leaves the queue without a consumer.`
              : 'Never below one worker: delayed retries move to the wait list only while a worker runs.',
          value: {
            apiVersion: 'keda.sh/v1alpha1',
            kind: 'ScaledObject',
            metadata: { name: 'berth-worker' },
            spec: { minReplicaCount: worker.minReplicas, maxReplicaCount: worker.maxReplicas },
          },
        }
      : { value: hpa('berth-worker', worker.minReplicas, worker.maxReplicas) };
  return {
    path: 'autoscaling.yaml',
    text: yamlText([
      {
        comment: `The bounds of the autoscalers, which own the replica counts (the Deployments set none), from\ndeploy.environments.${plan.env}.api and .worker.`,
        value: hpa('berth-api', api.minReplicas, api.maxReplicas),
      },
      workerDoc,
    ]),
  };
}

// The PDB follows the api's minimum: one pod may go while there is one, the base's minAvailable 1 at two,
// and all but one stay from three on.
function pdb(plan: DeployPlan): GeneratedFile | undefined {
  const min = plan.environment.api.minReplicas;
  if (min === 2) return undefined;
  const spec = min === 1 ? { minAvailable: null, maxUnavailable: 1 } : { minAvailable: min - 1 };
  const comment =
    min === 1
      ? 'One api pod: minAvailable 1 would block every node drain, so allow one pod down instead.'
      : `${min} api pods at least (the HPA's minimum): keep ${min - 1} serving through drains and upgrades.`;
  const value = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'berth-api' },
    spec,
  };
  return { path: 'pdb.yaml', text: yamlText([{ comment, value }]) };
}

function datastoresEgress(plan: DeployPlan): GeneratedFile | undefined {
  const d = plan.environment.datastores;
  if (!d) return undefined;
  const policy = (name: string, cidr: string, port: number) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name },
    spec: { egress: [{ to: [{ ipBlock: { cidr } }], ports: [{ protocol: 'TCP', port }] }] },
  });
  return {
    path: 'datastores-egress.yaml',
    text: yamlText([
      {
        comment: `Postgres and Redis are outside the cluster: egress to their addresses instead of to in-cluster pods\n(deploy.environments.${plan.env}.datastores; the defaults are placeholders).`,
        value: policy('berth-to-postgres', d.postgresCidr, 5432),
      },
      { value: policy('berth-to-redis', d.redisCidr, 6379) },
    ]),
  };
}

function secretStoreKeys(plan: DeployPlan): GeneratedFile[] {
  if (!plan.environment.datastores) return [];
  const entry = (ref: SecretRef) => ({ secretKey: ref.variable, remoteRef: { key: ref.remoteKey } });
  const ops = [
    ...plan.baseSecrets.map((ref, i) => ({
      op: 'replace',
      path: `/spec/data/${i}/remoteRef/key`,
      value: ref.remoteKey,
    })),
    ...plan.extraSecrets.map((ref) => ({ op: 'add', path: '/spec/data/-', value: entry(ref) })),
  ];
  const files = [
    {
      path: 'secret-store-keys.yaml',
      text: yamlText([
        {
          comment: `Remote keys of berth-secrets in the secret store (placeholders unless\ndeploy.environments.${plan.env}.secretKeys names them), and every key the config needs.`,
          value: ops,
        },
      ]),
    },
  ];
  if (plan.environment.worker.scaler === 'keda') {
    const keda = ['redis-address', 'redis-password'].map((name, i) => ({
      op: 'replace',
      path: `/spec/data/${i}/remoteRef/key`,
      value: `berth/${plan.env}/${name}`,
    }));
    files.push({
      path: 'keda-secret-store-keys.yaml',
      text: yamlText([
        {
          comment: "Remote keys of KEDA's Redis address and password for this environment (placeholders).",
          value: keda,
        },
      ]),
    });
  }
  return files;
}

function kedaTrigger(plan: DeployPlan): GeneratedFile | undefined {
  const { worker, prometheusUrl } = plan.environment;
  if (worker.scaler !== 'keda') return undefined;
  const namespace = `berth-${plan.env}`;
  const listLength = plan.workerConcurrency * 5;
  const replace = (path: string, value: unknown) => ({ op: 'replace', path, value });
  // Trigger 0 is the wait list, 1 the queue age, 2 the readiness gate (components/keda/scaledobject.yaml).
  const ops: unknown[] = [
    replace('/spec/triggers/1/metadata/query', queueAgeQuery(namespace)),
    replace('/spec/triggers/2/metadata/query', readyQuery(namespace)),
  ];
  if (prometheusUrl !== PROMETHEUS_URL) {
    ops.push(replace('/spec/triggers/1/metadata/serverAddress', prometheusUrl));
    ops.push(replace('/spec/triggers/2/metadata/serverAddress', prometheusUrl));
  }
  if (plan.redisPrefix !== 'berth')
    ops.push(replace('/spec/triggers/0/metadata/listName', `${plan.redisPrefix}:step.run:wait`));
  if (listLength !== 20) ops.push(replace('/spec/triggers/0/metadata/listLength', String(listLength)));
  const hours = worker.businessHours;
  if (hours) {
    ops.push({
      op: 'add',
      path: '/spec/triggers/-',
      value: {
        type: 'cron',
        name: 'business_hours',
        metadata: {
          timezone: hours.timezone,
          start: hours.start,
          end: hours.end,
          desiredReplicas: String(hours.replicas),
        },
      },
    });
  }
  if (listLength !== 20 || hours)
    ops.push(
      replace('/spec/advanced/scalingModifiers/formula', kedaFormula(listLength, hours !== undefined)),
    );
  const parts = [
    `The Prometheus queries of ${namespace}`,
    ...(plan.redisPrefix !== 'berth' ? ['the wait list of redisPrefix'] : []),
    ...(listLength !== 20 ? ['one worker per five times tasks.workerConcurrency waiting steps'] : []),
    ...(hours ? [`${hours.replicas} workers from ${hours.start} to ${hours.end} (${hours.timezone})`] : []),
  ];
  return {
    path: 'keda-trigger.yaml',
    text: yamlText([{ comment: `${parts.join('; ')}.`, value: ops }]),
  };
}

function hostPatch(plan: DeployPlan) {
  const host = plan.environment.host;
  if (host === COMPONENT_HOST) return undefined;
  if (plan.env === 'dev') {
    const ops = [
      { op: 'replace', path: '/spec/rules/0/host', value: host },
      { op: 'replace', path: '/spec/tls/0/hosts/0', value: host },
    ];
    return { target: { kind: 'Ingress', name: 'berth-api' }, patch: stringify(ops).trimEnd() };
  }
  const ops = [{ op: 'replace', path: '/spec/hostnames/0', value: host }];
  return {
    target: { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'berth-api' },
    patch: stringify(ops).trimEnd(),
  };
}

/** The overlay's files, kustomization.yaml first. */
export function kubernetesOverlay(plan: DeployPlan, options: KubernetesOptions): GeneratedFile[] {
  const files = [
    configMap(plan),
    resources(plan),
    autoscaling(plan),
    pdb(plan),
    datastoresEgress(plan),
    ...secretStoreKeys(plan),
    kedaTrigger(plan),
    egressFiles(plan),
    namespaceLimits(plan),
    ...agentsFiles(plan),
  ].filter((file): file is GeneratedFile => file !== undefined);
  const patches: unknown[] = [];
  const patchFiles = new Set([
    'config.yaml',
    'resources.yaml',
    'autoscaling.yaml',
    'pdb.yaml',
    'datastores-egress.yaml',
    'config-file.yaml',
  ]);
  for (const file of files) {
    if (patchFiles.has(file.path)) patches.push({ path: file.path });
    if (file.path === 'secret-store-keys.yaml' || file.path === 'keda-secret-store-keys.yaml') {
      const name = file.path === 'secret-store-keys.yaml' ? 'berth-secrets' : 'berth-keda-redis';
      patches.push({
        path: file.path,
        target: { group: 'external-secrets.io', kind: 'ExternalSecret', name },
      });
    }
    if (file.path === 'keda-trigger.yaml') {
      patches.push({
        path: file.path,
        target: { group: 'keda.sh', kind: 'ScaledObject', name: 'berth-worker' },
      });
    }
  }
  const host = hostPatch(plan);
  if (host) patches.push(host);
  const root = options.kustomizeRoot.replace(/\/$/, '');
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: `berth-${plan.env}`,
    resources: [
      `${root}/base`,
      'namespace-limits.yaml',
      ...(files.some((f) => f.path === 'egress.yaml') ? ['egress.yaml'] : []),
    ],
    components: components(plan).map((name) => `${root}/components/${name}`),
    images: [imageEntry(plan)],
    ...(plan.agents ? { configMapGenerator: [{ name: 'berth-file', files: ['berth.yaml'] }] } : {}),
    patches,
  };
  const secretsNote = plan.environment.datastores
    ? `Placeholders to set in deploy.environments.${plan.env}: the datastores' CIDRs, the store's remote keys\n(secretKeys) and the host; in the components: the ClusterSecretStore and Gateway names.`
    : `The example Secrets stay: change BERTH_API_KEYS before exposing the Ingress${
        plan.extraSecrets.length > 0
          ? `, and fill ${plan.extraSecrets.map((s) => s.variable).join(', ')}`
          : ''
      }.`;
  const comment = [
    DESCRIPTIONS[plan.env],
    secretsNote,
    HEADER(options.command),
    'No `replicas:` anywhere: the autoscalers own the counts (autoscaling.yaml). CD pins releases with',
    `kustomize edit set image ${BASE_IMAGE}=<image>:<tag or @digest>, or berth deploy --image.`,
    `  kubectl apply -k deploy/kubernetes/overlays/${plan.env}`,
  ].join('\n');
  return [{ path: 'kustomization.yaml', text: yamlText([{ comment, value: kustomization }]) }, ...files];
}
