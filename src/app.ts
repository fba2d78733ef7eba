import { fileURLToPath } from 'node:url';
import { createAgentCatalog, registerAgentRoutes } from './modules/agents/index.js';
import { createApiKeysRepository, createAuthService } from './modules/auth/index.js';
import {
  createChatRepository,
  createChatService,
  createInferService,
  registerChatRoutes,
  registerInferRoutes,
  registerOpenAiRoutes,
} from './modules/chat/index.js';
import { createLlmRegistry, type LlmOptions } from './modules/llm/index.js';
import { createModelToolDeps, createTasksModule } from './modules/tasks/index.js';
import {
  builtinTools,
  createAnswerTool,
  createSummarizeTool,
  fetchUserAgent,
  ToolRegistry,
} from './modules/tools/index.js';
import { type Config, isLoopbackHost } from './platform/config/index.js';
import { openStore, type Store } from './platform/db/index.js';
import { createHttpServer, type HttpApp, registerHealthRoutes } from './platform/http/index.js';
import { createInProcessQueue } from './platform/queue/index.js';
import { createHttpMetrics, createMetricsRegistry, type Logger } from './platform/telemetry/index.js';
import { VERSION } from './version.js';

/** Made by the build next to this file; a new data dir starts from it instead of running initdb. */
export const defaultPgliteTemplate = fileURLToPath(new URL('./pglite-template.tar.gz', import.meta.url));

export class StartupError extends Error {
  override name = 'StartupError';
}

export interface App {
  http: HttpApp;
  store: Store;
  /** Marks the app started (for /startupz) once it listens. */
  markStarted(): void;
  /** Stops taking requests, drains in-flight ones up to the grace period, closes the store. */
  close(graceMs: number): Promise<void>;
}

export interface AppOptions {
  logger: Logger;
  pgliteTemplatePath?: string;
}

export const llmOptions = (config: Config): LlmOptions => ({
  providers: {
    openai: config.llm.openai,
    anthropic: config.llm.anthropic,
    google: config.llm.google,
    ollama: config.llm.ollama,
    openaiCompatible: config.llm.openaiCompatible,
  },
  timeoutMs: config.llm.timeoutMs,
  maxRetries: config.llm.maxRetries,
  retryBaseDelayMs: config.llm.retryBaseDelayMs,
  breaker: config.llm.breaker,
});

async function refuseUnprotected(config: Config, anyKey: () => Promise<boolean>) {
  if (isLoopbackHost(config.server.host) || config.auth.mode === 'off' || (await anyKey())) return;
  throw new StartupError(
    `Refusing to listen on ${config.server.host} without an API key: anyone who can reach it could use your models.\n` +
      '  Add a key:   BERTH_API_KEYS=<a long random string>   or   npx berth keys create <name>\n' +
      '  Or, on a trusted network only, turn auth off: BERTH_AUTH=off',
  );
}

/** The one place that builds platform and modules for the all-in-one role. */
export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const { logger } = options;
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgliteTemplatePath: options.pgliteTemplatePath ?? defaultPgliteTemplate,
  });
  try {
    await store.migrate();
    const auth = createAuthService(createApiKeysRepository(store.db), {
      mode: config.auth.mode,
      envKeys: config.auth.apiKeys,
    });
    await refuseUnprotected(config, auth.anyKeyConfigured);
    return await assemble(config, logger, store, auth.authenticator);
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

async function assemble(
  config: Config,
  logger: Logger,
  store: Store,
  authenticator: Parameters<typeof createHttpServer>[0]['authenticator'],
): Promise<App> {
  const metrics = createMetricsRegistry();
  const llm = createLlmRegistry({ options: llmOptions(config), metrics, logger });
  const modelToolDeps = createModelToolDeps({ llm, agents: () => agents });
  const tools = new ToolRegistry([
    ...builtinTools({ fetchUrl: { allow: config.tools.fetchAllow, userAgent: fetchUserAgent(VERSION) } }),
    createSummarizeTool(modelToolDeps),
    createAnswerTool(modelToolDeps),
  ]);
  const catalog = createAgentCatalog(config, tools.list());
  if (!catalog.ok) throw new StartupError(catalog.error.message);
  const agents = catalog.value;
  const http = await createHttpServer({
    logger,
    metrics: createHttpMetrics(metrics),
    authenticator,
    bodyLimitBytes: config.server.bodyLimitBytes,
    requestTimeoutMs: config.server.requestTimeoutMs,
    version: VERSION,
  });
  let started = false;
  let closing = false;
  registerHealthRoutes(http, {
    version: VERSION,
    metrics,
    isStarted: () => started,
    isShuttingDown: () => closing,
    checks: [
      { name: 'store', check: async () => void (await store.ping()) },
      {
        name: 'migrations',
        check: async () => {
          const pending = await store.pendingMigrations();
          return pending > 0 ? `${pending} migration(s) not applied` : undefined;
        },
      },
    ],
  });
  const chat = createChatService({ repo: createChatRepository(store.db), agents, llm, tools });
  registerAgentRoutes(http, agents);
  registerChatRoutes(http, { chat, maxMessageChars: config.chat.maxMessageChars });
  const infer = createInferService({ agents, llm, tools });
  registerInferRoutes(http, { infer, maxMessageChars: config.chat.maxMessageChars });
  registerOpenAiRoutes(http, { agents, llm, tools, startedAt: Date.now() });
  const queue = createInProcessQueue();
  const tasks = createTasksModule({
    db: store.db,
    queue,
    llm,
    agents,
    tools,
    metrics,
    logger,
    ...config.tasks,
    exclusiveStore: store.kind === 'pglite',
  });
  tasks.registerRoutes(http);
  await http.ready();
  await tasks.startWorker();
  return {
    http,
    store,
    markStarted: () => {
      started = true;
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
        await queue.close(graceMs);
      } finally {
        clearTimeout(force);
        clearInterval(sweep);
        await store.close();
      }
    },
  };
}
