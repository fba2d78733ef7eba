import { fileURLToPath } from 'node:url';
import { registerApiRoutes } from './app/api-routes.js';
import type { Config } from './app/config.js';
import { buildCore } from './app/core.js';
import { type BerthEvent, createLifecycleBus } from './app/events.js';
import { openQueue, openTaskEvents } from './app/infrastructure.js';
import { circuitChecks, storeChecks } from './app/readiness.js';
import { StartupError } from './app/startup-error.js';
import { createApprovalsModule } from './modules/approvals/index.js';
import { createAuditModule } from './modules/audit/index.js';
import { configVersion } from './modules/evals/index.js';
import {
  type AccessControlService,
  createAccessControl,
  createIdentityRepository,
  createIdentityService,
  createKeyIndex,
  createSingleSignOn,
  type IdentityService,
  type SingleSignOn,
} from './modules/identity/index.js';
import { createTasksModule } from './modules/tasks/index.js';
import { isLoopbackHost } from './platform/config/index.js';
import { openStore, type Store } from './platform/db/index.js';
import type { EventBus } from './platform/events/index.js';
import { createHttpServer, type HttpApp, registerHealthRoutes } from './platform/http/index.js';
import type { Queue } from './platform/queue/index.js';
import {
  createHttpMetrics,
  createMetricsRegistry,
  flushTraces,
  type Logger,
} from './platform/telemetry/index.js';
import { VERSION } from './version.js';

export { llmOptions } from './app/core.js';
export { StartupError } from './app/startup-error.js';

/** Made by the build next to this file; a new data dir starts from it instead of running initdb. */
export const defaultPgliteTemplate = fileURLToPath(new URL('./pglite-template.tar.gz', import.meta.url));

/** all: everything in one process (berth start); api: HTTP only; worker: step workers with health endpoints. */
export type Role = 'all' | 'api' | 'worker';

export interface App {
  http: HttpApp;
  store: Store;
  queueKind: Queue['kind'];
  /** This process's lifecycle bus (tests watch what is published on it). */
  bus: EventBus<BerthEvent>;
  /** Tenants, users and keys, as the admin API and the CLI manage them (tests seed identities through it). */
  identity: IdentityService;
  /**
   * Marks the app started (for /startupz) once it listens. With the URL the CLI can reach it at,
   * writes that URL and the local admin token into the embedded store's data dir lock.
   */
  markStarted(url?: string): void;
  /** Stops taking requests and jobs, drains in-flight ones up to the grace period, closes the store. */
  close(graceMs: number): Promise<void>;
}

export interface AppOptions {
  logger: Logger;
  role?: Role;
  pgliteTemplatePath?: string;
}

/** Like Redis's protected mode: no listening beyond loopback while anyone could walk in. */
async function checkExposure(config: Config, access: AccessControlService, logger: Logger) {
  const loopback = isLoopbackHost(config.server.host);
  if (config.auth.mode === 'off') {
    if (!loopback) {
      logger.warn(
        { host: config.server.host },
        `auth is off (BERTH_AUTH=off) on ${config.server.host}: anyone who can reach it acts as the owner of every conversation and task, and can use your models`,
      );
    }
    return;
  }
  if (await access.anyCredential()) return;
  if (await access.required()) {
    logger.warn(
      'auth is on but no API key is active: every request is refused until one is created (npx berth keys create <name>)',
    );
    return;
  }
  if (loopback) return;
  throw new StartupError(
    `Refusing to listen on ${config.server.host} without an API key: anyone who can reach it could use your models.\n` +
      '  Add a key:   BERTH_API_KEYS=<a long random string>   or   npx berth keys create <name>\n' +
      '  Or, on a trusted network only, turn auth off: BERTH_AUTH=off',
  );
}

/** The one place that builds platform and modules for a role. */
export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const role = options.role ?? 'all';
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgliteTemplatePath: options.pgliteTemplatePath ?? defaultPgliteTemplate,
    lock: { command: role === 'all' ? 'start' : role, warn: (message) => options.logger.warn(message) },
  });
  try {
    await store.migrate();
    const repo = createIdentityRepository(store.db);
    const keys = createKeyIndex(repo);
    const { publicUrl } = config.server;
    const sso = createSingleSignOn({ oidc: config.auth.oidc, session: config.auth.session, publicUrl }, repo);
    const access = createAccessControl({
      mode: config.auth.mode,
      envKeys: config.auth.apiKeys,
      keys,
      // The CLI's way in while this process holds the data dir (see run-server.ts).
      localToken: store.lock?.token,
      tokens: sso?.tokens,
      sessions: sso?.sessions,
    });
    // Made here: identity publishes its changes on it (the audit trail).
    const bus = createLifecycleBus(options.logger);
    const identity = createIdentityService({ repo, keys, events: bus });
    // A worker serves only health and metrics, which are open by design.
    if (role !== 'worker') await checkExposure(config, access, options.logger);
    return await assemble({ config, logger: options.logger, role, store, access, identity, sso, bus });
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

interface AssembleInput {
  config: Config;
  logger: Logger;
  role: Role;
  store: Store;
  access: AccessControlService;
  identity: IdentityService;
  sso?: SingleSignOn;
  bus: EventBus<BerthEvent>;
}

async function assemble(input: AssembleInput): Promise<App> {
  const { config, logger, role, store, access, identity, sso, bus } = input;
  const metrics = createMetricsRegistry();
  const core = buildCore(config, metrics, logger, { db: store.db, events: bus });
  const queue = await openQueue(config, logger);
  const { events, notifier } = await openTaskEvents(config, logger, { publishOnly: role === 'worker' });
  const tasks = createTasksModule({
    ...{
      db: store.db,
      queue,
      llm: core.llm,
      agents: core.agents,
      tools: core.tools,
      metrics,
      logger,
      bus,
      events,
    },
    ...config.tasks,
    ...{
      leaseMs: config.worker.leaseMs,
      reconcileIntervalMs: config.worker.reconcileIntervalMs,
      staleReadyMs: config.worker.staleReadyMs,
    },
    ...{ stuckAfterMs: config.worker.stuckAfterMs, exclusiveStore: store.kind === 'pglite' },
    // Workers relay their own rows as they commit them; the api's poll is the one that matters.
    relayPollMs: role === 'worker' ? 5_000 : undefined,
    sideEffects: {
      expiresAfterMs: config.approvals.expiresAfterMs,
      fourEyes: config.approvals.requireSecondPerson,
    },
  });
  const approvals = createApprovalsModule({
    ...{ db: store.db, config: config.approvals, gate: tasks.approvalGate, bus, metrics, logger },
    webhookAllow: config.tools.webhookAllow,
  });
  const audit = createAuditModule({
    ...{ db: store.db, config: config.audit, bus, metrics, logger },
    configVersion: configVersion(core.agents.list(), config),
  });
  const http = await createHttpServer({
    logger,
    onResponse: audit.onResponse,
    metrics: createHttpMetrics(metrics),
    access: access.access,
    bodyLimitBytes: config.server.bodyLimitBytes,
    requestTimeoutMs: config.server.requestTimeoutMs,
    version: VERSION,
    // A worker serves only open routes: nothing to count, so no Redis connection for it.
    rateLimit:
      role === 'worker'
        ? undefined
        : {
            ...config.rateLimit,
            redis: config.redisUrl ? { url: config.redisUrl, prefix: config.redisPrefix } : undefined,
            registry: metrics,
            logger,
          },
  });
  const checks = storeChecks(store);
  if (queue.kind === 'bullmq') checks.push({ name: 'redis', check: async () => void (await tasks.depth()) });
  // Every role that consumes steps (berth start too) is judged by its progress.
  if (role !== 'api') checks.push({ name: 'progress', check: tasks.progressProblem });
  checks.push(...circuitChecks(core.llm, core.agents));
  checks.push(...core.mcp.checks());
  let started = false;
  let closing = false;
  registerHealthRoutes(http, {
    version: VERSION,
    metrics,
    checks,
    isStarted: () => started,
    isShuttingDown: () => closing,
  });
  if (role !== 'worker') {
    await registerApiRoutes(http, {
      config,
      core,
      store,
      tasks,
      approvals,
      bus,
      gatewayEvents: bus,
      checks,
      identity,
      sso,
      authRequired: access.required,
      metrics,
      logger,
    });
    audit.registerRoutes(http);
  }
  await http.ready();
  // In the background: a slow or absent MCP server delays nothing; its tools answer unavailable meanwhile.
  core.mcp.start(core.tools);
  tasks.startRelay();
  if (role !== 'api') {
    await tasks.startWorker();
    approvals.startSweep();
  }
  return {
    http,
    store,
    queueKind: queue.kind,
    bus,
    identity,
    markStarted: (url) => {
      started = true;
      if (url) store.lock?.advertise(url);
    },
    async close(graceMs) {
      closing = true;
      // Open streams keep the server from closing; after the grace period they are cut.
      const force = setTimeout(() => http.server.closeAllConnections(), graceMs);
      // Connections whose last request ends during the drain would otherwise idle in keep-alive until the grace runs out.
      const sweep = setInterval(() => http.server.closeIdleConnections(), 100);
      try {
        await http.close();
        await tasks.stop();
        await approvals.stop();
        await core.mcp.close();
        await queue.close(graceMs);
        await bus.drain();
      } finally {
        clearTimeout(force);
        clearInterval(sweep);
        await notifier?.close();
        await store.close();
        // The process exits next: the spans of its last requests and steps would be lost in the buffer.
        await flushTraces().catch(() => {});
      }
    },
  };
}
