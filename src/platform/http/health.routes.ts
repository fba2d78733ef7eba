import { z } from 'zod';
import type { Registry } from '../telemetry/index.js';
import type { HttpApp } from './server.js';

export interface ReadinessCheck {
  name: string;
  /** Resolves when healthy; rejects (or resolves a reason string) when not. */
  check(): Promise<string | undefined>;
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

const checkResult = z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() });
const readyBody = z.object({ status: z.enum(['ready', 'not_ready']), checks: z.array(checkResult) });

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<z.infer<typeof checkResult>> {
  try {
    const reason = await Promise.race([
      check.check(),
      new Promise<string>((resolve) =>
        setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs).unref(),
      ),
    ]);
    return reason ? { name: check.name, ok: false, error: reason } : { name: check.name, ok: true };
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
        const results = deps.isShuttingDown()
          ? [{ name: 'shutdown', ok: false, error: 'shutting down' }]
          : await runReadinessChecks(deps.checks, timeoutMs);
        const ready = results.every((result) => result.ok);
        return reply
          .status(ready ? 200 : 503)
          .send({ status: ready ? 'ready' : 'not_ready', checks: results });
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
