import { fileURLToPath } from 'node:url';
import { registerAgentRoutes } from '../modules/agents/index.js';
import type { ApprovalsModule } from '../modules/approvals/index.js';
import {
  type ChatPublisher,
  createActionProposer,
  createChatRepository,
  createChatService,
  createInferService,
  registerChatRoutes,
  registerInferRoutes,
  registerOpenAiRoutes,
} from '../modules/chat/index.js';
import {
  configVersion,
  createEvalsRepository,
  createEvalsService,
  registerEvalPassRateGauge,
  registerEvalRoutes,
} from '../modules/evals/index.js';
import { createGateway, type GatewayEvent } from '../modules/gateway/index.js';
import {
  type IdentityService,
  registerIdentityRoutes,
  registerSsoRoutes,
  type SingleSignOn,
} from '../modules/identity/index.js';
import { registerMcpRoutes } from '../modules/mcp/index.js';
import { createStatusService, registerStatusRoutes } from '../modules/status/index.js';
import type { TasksModule } from '../modules/tasks/index.js';
import type { Store } from '../platform/db/index.js';
import type { Publisher } from '../platform/events/index.js';
import { type HttpApp, type ReadinessCheck, registerStaticUi } from '../platform/http/index.js';
import type { Logger, Registry } from '../platform/telemetry/index.js';
import { VERSION } from '../version.js';
import type { Config } from './config.js';
import type { Core } from './core.js';

/** The built UI: beside the bundled dist/main.js, or the repo's dist/web when running from source. */
const webRoots = [
  fileURLToPath(new URL('./web/', import.meta.url)),
  fileURLToPath(new URL('../../dist/web/', import.meta.url)),
];
/** Client-side routes of the UI, answered with its index.html. */
const webRoutes = ['/chat', '/chat/*', '/tasks', '/tasks/*', '/approvals', '/status'];

export interface ApiRouteDeps {
  config: Config;
  core: Core;
  store: Store;
  tasks: TasksModule;
  approvals: ApprovalsModule;
  /** The lifecycle bus: chat publishes chat.turn and refused tool calls on it. */
  bus: ChatPublisher;
  /** The lifecycle bus the gateway publishes gateway.call on. */
  gatewayEvents: Publisher<GatewayEvent>;
  checks: ReadinessCheck[];
  identity: IdentityService;
  /** Single sign-on, when an OpenID provider is configured. */
  sso?: SingleSignOn;
  authRequired(): Promise<boolean>;
  metrics: Registry;
  logger: Logger;
}

/** Everything the api role serves beyond health: identity, chat, OpenAI, infer, tasks, evals, status and the UI. */
export async function registerApiRoutes(http: HttpApp, deps: ApiRouteDeps): Promise<void> {
  const { config, core, store, tasks } = deps;
  const { agents, llm, tools } = core;
  const events = deps.bus;
  // A side-effecting call of chat or infer becomes a one-step task whose step waits for approval.
  const propose = createActionProposer({
    ...{ tasks: tasks.service, taskEvents: tasks.events, approvals: deps.approvals.service },
  });
  const chat = createChatService({
    repo: createChatRepository(store.db),
    agents,
    llm,
    tools,
    events,
    propose,
  });
  registerIdentityRoutes(http, { identity: deps.identity, authRequired: deps.authRequired });
  await registerSsoRoutes(http, { sso: deps.sso });
  registerAgentRoutes(http, agents);
  registerChatRoutes(http, { chat, maxMessageChars: config.chat.maxMessageChars });
  registerInferRoutes(http, {
    infer: createInferService({ agents, llm, tools, events, propose }),
    maxMessageChars: config.chat.maxMessageChars,
  });
  const gateway = createGateway({ config: config.gateway, agents, llm, events: deps.gatewayEvents });
  registerOpenAiRoutes(http, { agents, llm, tools, startedAt: Date.now(), gateway });
  gateway.registerRoutes(http);
  tasks.registerRoutes(http);
  deps.approvals.registerRoutes(http);
  registerMcpRoutes(http, {
    ...{ chat, tasks: tasks.service, taskEvents: tasks.events },
    ...{ approvals: deps.approvals.service, version: VERSION },
  });
  const evals = createEvalsService({
    repo: createEvalsRepository(store.db),
    agents,
    release: { configVersion: configVersion(agents.list(), config), berthVersion: VERSION },
  });
  registerEvalRoutes(http, { evals });
  registerEvalPassRateGauge(deps.metrics, evals.latestPassRates, deps.logger);
  const status = createStatusService({
    version: VERSION,
    storeKind: store.kind,
    checks: deps.checks,
    queueDepth: tasks.depth,
    agents,
    llm: { provider: config.llm.provider, model: config.llm.model },
    breakerStates: llm.breakerStates,
    mcpServers: core.mcp.statuses,
  });
  registerStatusRoutes(http, status);
  await registerStaticUi(http, { roots: webRoots, spaRoutes: webRoutes });
}
