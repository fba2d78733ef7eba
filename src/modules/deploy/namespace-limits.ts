// A ResourceQuota and a LimitRange for the overlay's namespace, sized from what the environment can run at
// its autoscalers' maximum: a runaway scale-up or a stray workload stops at the quota instead of starving
// the cluster, and a container without requests (a sidecar someone injects) still gets some.
import type { DeployPlan } from './deploy-plan.js';
import type { GeneratedFile } from './yaml-text.js';
import { yamlText } from './yaml-text.js';

interface Sizes {
  cpuRequest: number; // millicores
  memoryRequest: number; // MiB
  memoryLimit: number; // MiB
}

// The base's and the in-cluster datastores' containers (test/deploy/generator.test.ts checks the rendered
// objects against the quota, so a change there that this table misses fails).
const BASE: Record<'api' | 'worker' | 'migrate' | 'postgres' | 'redis', Sizes> = {
  api: { cpuRequest: 250, memoryRequest: 256, memoryLimit: 512 },
  worker: { cpuRequest: 250, memoryRequest: 256, memoryLimit: 768 },
  migrate: { cpuRequest: 100, memoryRequest: 128, memoryLimit: 256 },
  postgres: { cpuRequest: 100, memoryRequest: 256, memoryLimit: 1024 },
  redis: { cpuRequest: 50, memoryRequest: 128, memoryLimit: 512 },
};
// One pod above the maximum while a rollout surges (maxSurge 1), and a quarter more for what an operator
// runs beside (a debug pod, a one-off Job).
const SURGE = 1;
const HEADROOM = 1.25;
const DATASTORE_STORAGE_GI = 6;

export const cpuMillis = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
export const memoryMi = (q: string) => {
  const [, n, unit] = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)$/.exec(q) ?? [];
  return Number(n) * (unit === 'Gi' ? 1024 : unit === 'Ki' ? 1 / 1024 : 1);
};

type Resources = NonNullable<DeployPlan['environment']['resources']>['api'];
function sized(base: Sizes, override: Resources): Sizes {
  return {
    cpuRequest: override?.requests?.cpu ? cpuMillis(override.requests.cpu) : base.cpuRequest,
    memoryRequest: override?.requests?.memory ? memoryMi(override.requests.memory) : base.memoryRequest,
    memoryLimit: override?.limits?.memory ? memoryMi(override.limits.memory) : base.memoryLimit,
  };
}

/** The ResourceQuota and LimitRange objects (Helm takes their specs as values). */
export function namespaceLimitObjects(plan: DeployPlan) {
  const e = plan.environment;
  const workloads: [Sizes, number][] = [
    [sized(BASE.api, e.resources?.api), e.api.maxReplicas + SURGE],
    [sized(BASE.worker, e.resources?.worker), e.worker.maxReplicas + SURGE],
    [BASE.migrate, 1],
    ...(e.datastores
      ? []
      : ([
          [BASE.postgres, 1],
          [BASE.redis, 1],
        ] as [Sizes, number][])),
  ];
  const total = (pick: (s: Sizes) => number) =>
    Math.ceil(workloads.reduce((sum, [s, n]) => sum + pick(s) * n, 0) * HEADROOM);
  const pods = Math.ceil(workloads.reduce((sum, [, n]) => sum + n, 0) * HEADROOM);
  const largestLimit = Math.max(...workloads.map(([s]) => s.memoryLimit));
  const quota = {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'berth', labels: { 'app.kubernetes.io/part-of': 'berth' } },
    spec: {
      hard: {
        pods: String(pods),
        'requests.cpu': `${total((s) => s.cpuRequest)}m`,
        'requests.memory': `${total((s) => s.memoryRequest)}Mi`,
        'limits.memory': `${total((s) => s.memoryLimit)}Mi`,
        persistentvolumeclaims: e.datastores ? '0' : '2',
        'requests.storage': e.datastores ? '0' : `${DATASTORE_STORAGE_GI}Gi`,
      },
    },
  };
  // No CPU default or max: Berth sets no CPU limits on purpose (throttling adds latency; see the base).
  const limitRange = {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'berth', labels: { 'app.kubernetes.io/part-of': 'berth' } },
    spec: {
      limits: [
        {
          type: 'Container',
          defaultRequest: { cpu: '100m', memory: '128Mi' },
          default: { memory: '512Mi' },
          max: { memory: `${largestLimit}Mi` },
        },
      ],
    },
  };
  return { quota, limitRange };
}

export function namespaceLimits(plan: DeployPlan): GeneratedFile {
  const e = plan.environment;
  const { quota, limitRange } = namespaceLimitObjects(plan);
  return {
    path: 'namespace-limits.yaml',
    text: yamlText([
      {
        comment: `What ${plan.env} may run at its autoscalers' maximum (api ${e.api.maxReplicas}, workers ${e.worker.maxReplicas}, each + ${SURGE} in a\nrollout, the migrate Job${e.datastores ? '' : ', Postgres and Redis'}), plus a quarter; from deploy.environments.${plan.env}.`,
        value: quota,
      },
      {
        comment:
          'Requests for containers that set none (an injected sidecar), and no container above the largest limit here.',
        value: limitRange,
      },
    ]),
  };
}
