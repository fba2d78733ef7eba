import { Gauge } from 'prom-client';
import { z } from 'zod';
import type { Registry } from '../telemetry/index.js';
import type { HttpApp } from './server.js';

/**
 * What a check found when a reason string is not enough: `ok` decides readiness, `degraded` marks an ok
 * that is worth a look (a provider's open circuit that other agents can do without), `detail` says what
 * was seen either way.
 */
export interface CheckOutcome {
  ok: boolean;
  error?: string;
  degraded?: boolean;
  detail?: string;
}

export interface ReadinessCheck {
  name: string;
  /** Resolves undefined when healthy, a reason string when not, or a full outcome; a rejection fails it. */
  check(): Promise<string | undefined | CheckOutcome>;
}

export interface HealthRouteDeps {
  version: string;
  checks: ReadinessCheck[];
  isStarted(): boolean;
  isShuttingDown(): boolean;
  metrics: Registry;
  /** A readiness check slower than this counts as failed. Default 2 s. */
  checkTimeoutMs?: number;
}

/** One check's result, as /readyz and /api/status report it. */
export const checkResult = z.object({
  name: z.string(),
  ok: z.boolean(),
  error: z.string().optional().describe('why the check failed'),
  degraded: z
    .boolean()
    .optional()
    .describe('true when the check passes but something it watches is down (the pod stays ready)'),
  detail: z.string().optional().describe('what the check saw, e.g. a circuit state and the agents using it'),
});
const readyBody = z.object({ status: z.enum(['ready', 'not_ready']), checks: z.array(checkResult) });

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<z.infer<typeof checkResult>> {
  try {
    const reason = await Promise.race([
      check.check(),
      new Promise<string>((resolve) =>
        setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs).unref(),
      ),
    ]);
    if (reason === undefined || reason === '') return { name: check.name, ok: true };
    if (typeof reason === 'string') return { name: check.name, ok: false, error: reason };
    const { ok, error, degraded, detail } = reason;
    return { name: check.name, ok, error, degraded, detail };
  } catch (error) {
    return { name: check.name, ok: false, error: (error as Error).message };
  }
}

export type CheckResult = z.infer<typeof checkResult>;

/** Runs every check at once; one slower than timeoutMs counts as failed. */
export const runReadinessChecks = (checks: ReadinessCheck[], timeoutMs = 2_000): Promise<CheckResult[]> =>
  Promise.all(checks.map((check) => runCheck(check, timeoutMs)));

export function registerHealthRoutes(app: HttpApp, deps: HealthRouteDeps) {
  const timeoutMs = deps.checkTimeoutMs ?? 2_000;
  const readiness = async () => {
    const checks = deps.isShuttingDown()
      ? [{ name: 'shutdown', ok: false, error: 'shutting down' }]
      : await runReadinessChecks(deps.checks, timeoutMs);
    return { ready: checks.every((result) => result.ok), checks };
  };
  // /readyz's verdict at each scrape, for what cannot probe a pod: KEDA's store_ready trigger holds the
  // workers at their minimum while no Berth pod is ready (deploy/kubernetes/components/keda).
  new Gauge({
    name: 'berth_ready',
    help: '1 when /readyz answers 200 (every readiness check passes: store, migrations, …), 0 when not',
    registers: [deps.metrics],
    async collect() {
      this.set((await readiness()).ready ? 1 : 0);
    },
  });
  const health = { status: z.literal('ok'), version: z.string() };
  for (const url of ['/healthz', '/health']) {
    app.route({
      method: 'GET',
      url,
      schema: { tags: ['health'], response: { 200: z.object(health) } },
      config: { permission: 'public' },
      handler: async () => ({ status: 'ok' as const, version: deps.version }),
    });
  }
  for (const url of ['/readyz', '/ready']) {
    app.route({
      method: 'GET',
      url,
      schema: { tags: ['health'], response: { 200: readyBody, 503: readyBody } },
      config: { permission: 'public' },
      handler: async (_request, reply) => {
        const { ready, checks } = await readiness();
        return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
      },
    });
  }
  app.route({
    method: 'GET',
    url: '/startupz',
    schema: {
      tags: ['health'],
      response: {
        200: z.object({ status: z.enum(['started', 'starting']) }),
        503: z.object({ status: z.enum(['started', 'starting']) }),
      },
    },
    config: { permission: 'public' },
    handler: async (_request, reply) =>
      deps.isStarted()
        ? { status: 'started' as const }
        : reply.status(503).send({ status: 'starting' as const }),
  });
  app.route({
    method: 'GET',
    url: '/metrics',
    schema: { hide: true },
    config: { permission: 'public' },
    handler: async (_request, reply) =>
      reply.type(deps.metrics.contentType).send(await deps.metrics.metrics()),
  });
}
