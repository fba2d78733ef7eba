import { z } from 'zod';

// The `deploy` section is read only by `berth deploy` (src/modules/deploy): where each environment runs and
// how it scales. Its defaults are what the shipped overlays (deploy/kubernetes/overlays/*) use, so the
// generator writes exactly those for a config without this section. No environment variable sets it.

const count = z.coerce.number().int().min(1).max(1_000);
const cpu = z.string().regex(/^\d+(\.\d+)?m?$/, 'a CPU quantity, e.g. 500m or 1');
const memory = z.string().regex(/^\d+(Ki|Mi|Gi)$/, 'a memory quantity, e.g. 512Mi or 1Gi');
const cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/, 'a CIDR, e.g. 10.0.0.0/24');
const hostname = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'a DNS host name');
const cron = z.string().regex(/^\S+( \S+){4}$/, 'a cron expression of five fields, e.g. 0 8 * * 1-5');
const timezone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone, e.g. Europe/Berlin');
/** An environment variable name of berth-secrets, e.g. ANTHROPIC_API_KEY. */
const secretVariable = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an environment variable name');

const resources = z.strictObject({
  requests: z.strictObject({ cpu: cpu.optional(), memory: memory.optional() }).optional(),
  limits: z.strictObject({ memory: memory.optional() }).optional(),
});

interface EnvironmentDefaults {
  logLevel: 'debug' | 'info' | 'warn';
  host: string;
  api: { minReplicas: number; maxReplicas: number };
  worker: { scaler: 'hpa' | 'keda'; minReplicas: number; maxReplicas: number };
  datastores?: { postgresCidr: string; redisCidr: string };
  vpa: boolean;
  resources?: { api: z.input<typeof resources>; worker: z.input<typeof resources> };
}

function environmentSchema(defaults: EnvironmentDefaults) {
  const bounds = (min: number, max: number) =>
    z
      .strictObject({ minReplicas: count.default(min), maxReplicas: count.default(max) })
      .refine((b) => b.minReplicas <= b.maxReplicas, {
        message: 'minReplicas must not exceed maxReplicas',
        path: ['minReplicas'],
      });
  return z
    .strictObject({
      /** LOG_LEVEL of the pods. */
      logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default(defaults.logLevel),
      /** Host name of the Ingress (dev) or the HTTPRoute (staging, production). */
      host: hostname.default(defaults.host),
      /** The api's HPA bounds. */
      api: bounds(defaults.api.minReplicas, defaults.api.maxReplicas).prefault({}),
      /** The workers' autoscaler: keda (on the queue's wait list and age) or hpa (CPU), and its bounds. */
      worker: z
        .strictObject({
          scaler: z.enum(['hpa', 'keda']).default(defaults.worker.scaler),
          minReplicas: count.default(defaults.worker.minReplicas),
          maxReplicas: count.default(defaults.worker.maxReplicas),
          /** Run the workers in gVisor (RuntimeClass gvisor, handler runsc). Default false. */
          gvisor: z.boolean().default(false),
          /** KEDA only: workers kept from `start` to `end` (cron, in `timezone`). Default none. */
          businessHours: z.strictObject({ timezone, start: cron, end: cron, replicas: count }).optional(),
        })
        .refine((b) => b.minReplicas <= b.maxReplicas, {
          message: 'minReplicas must not exceed maxReplicas',
          path: ['minReplicas'],
        })
        .refine((b) => !b.businessHours || b.scaler === 'keda', {
          message: 'needs worker.scaler keda (a KEDA cron trigger)',
          path: ['businessHours'],
        })
        .refine((b) => !b.businessHours || b.businessHours.replicas <= b.maxReplicas, {
          message: 'must not exceed worker.maxReplicas',
          path: ['businessHours', 'replicas'],
        })
        .prefault({}),
      /** VerticalPodAutoscalers (recommendations only) for the api and the workers. Default: staging, production. */
      vpa: z.boolean().default(defaults.vpa),
      /** The Prometheus KEDA's queue-age and readiness triggers query. Default the Prometheus Operator's. */
      prometheusUrl: z.url({ protocol: /^https?$/ }).default(PROMETHEUS_URL),
      /** External Postgres and Redis (egress by CIDR); absent: the in-cluster dev datastores. */
      datastores: z
        .strictObject({ postgresCidr: cidr, redisCidr: cidr })
        .optional()
        .transform((value) => value ?? defaults.datastores),
      /** Requests and limits of the api and worker containers; absent: the base's. */
      resources: z
        .strictObject({ api: resources.optional(), worker: resources.optional() })
        .optional()
        .transform((value) => value ?? defaults.resources),
      /**
       * Remote keys of berth-secrets in the secret store (External Secrets), by variable. Absent: berth/<env>/<name>
       * for every key the config needs. Given: it must name every key the config needs.
       */
      secretKeys: z.record(secretVariable, z.string().min(1)).optional(),
    })
    .prefault({});
}

/** prometheus-operated, the Service the Prometheus Operator makes, in the monitoring namespace. */
export const PROMETHEUS_URL = 'http://prometheus-operated.monitoring.svc:9090';

export const deploySchema = z
  .strictObject({
    /** The image every role runs; `berth deploy --image` overrides it. Default ghcr.io/berth-dev/berth:0.1.0. */
    image: z.string().min(1).default('ghcr.io/berth-dev/berth:0.1.0'),
    environments: z
      .strictObject({
        dev: environmentSchema({
          logLevel: 'debug',
          host: 'berth.dev.example.com',
          api: { minReplicas: 1, maxReplicas: 3 },
          worker: { scaler: 'hpa', minReplicas: 1, maxReplicas: 3 },
          // Local and dev clusters rarely run the VPA recommender.
          vpa: false,
          resources: {
            api: { requests: { cpu: '100m', memory: '192Mi' } },
            worker: { requests: { cpu: '100m', memory: '192Mi' } },
          },
        }),
        staging: environmentSchema({
          logLevel: 'info',
          host: 'berth.staging.example.com',
          api: { minReplicas: 2, maxReplicas: 10 },
          worker: { scaler: 'keda', minReplicas: 1, maxReplicas: 20 },
          datastores: { postgresCidr: '10.10.0.0/24', redisCidr: '10.10.1.0/24' },
          vpa: true,
        }),
        production: environmentSchema({
          logLevel: 'warn',
          host: 'berth.example.com',
          api: { minReplicas: 3, maxReplicas: 20 },
          worker: { scaler: 'keda', minReplicas: 2, maxReplicas: 20 },
          datastores: { postgresCidr: '10.20.0.0/24', redisCidr: '10.20.1.0/24' },
          vpa: true,
          resources: {
            api: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
            worker: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1536Mi' } },
          },
        }),
      })
      .prefault({}),
  })
  .prefault({});

export type DeployConfig = z.output<typeof deploySchema>;
export type DeployEnvironment = DeployConfig['environments']['dev'];
export type DeployEnvironmentName = keyof DeployConfig['environments'];
