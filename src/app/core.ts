import { type AgentCatalog, agentToolIssues, createAgentCatalog } from '../modules/agents/index.js';
import { type BudgetEvent, createBudgets } from '../modules/budgets/index.js';
import {
  createLlmRegistry,
  createPriceTable,
  type LlmOptions,
  type LlmRegistry,
  unpricedModels,
} from '../modules/llm/index.js';
import { createMcpClients, type McpClients, mcpToolInfos } from '../modules/mcp/index.js';
import {
  type BuiltinToolOptions,
  builtinTools,
  createAnswerTool,
  createModelToolDeps,
  createSummarizeTool,
  fetchUserAgent,
  httpPostUserAgent,
  type ModelToolDeps,
  type Tool,
  ToolRegistry,
  unavailableBuiltins,
} from '../modules/tools/index.js';
import type { ConfigCheck } from '../platform/config/index.js';
import type { Db } from '../platform/db/index.js';
import type { Publisher } from '../platform/events/index.js';
import type { Logger, Registry } from '../platform/telemetry/index.js';
import { VERSION } from '../version.js';
import type { Config } from './config.js';
import { StartupError } from './startup-error.js';

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
  traceContent: config.telemetry.traceContent,
});

export interface Core {
  llm: LlmRegistry;
  tools: ToolRegistry;
  agents: AgentCatalog;
  /** The MCP servers whose tools are in `tools`; started by the app once it is built. */
  mcp: McpClients;
}

function toolOptions(config: Config): BuiltinToolOptions {
  const { fetchAllow, webhookAllow, smtp } = config.tools;
  return {
    fetchUrl: { allow: fetchAllow, userAgent: fetchUserAgent(VERSION) },
    httpPost: { allow: webhookAllow, userAgent: httpPostUserAgent(VERSION) },
    ...(smtp.url ? { sendEmail: { url: smtp.url, from: smtp.from } } : {}),
  };
}

function createTools(config: Config, modelTools: ModelToolDeps, mcpTools: Tool[] = []): ToolRegistry {
  const options = toolOptions(config);
  return new ToolRegistry(
    [...builtinTools(options), createSummarizeTool(modelTools), createAnswerTool(modelTools), ...mcpTools],
    unavailableBuiltins(options),
  );
}

// For reading the tool catalogue before anything starts; the tools are listed, never run.
const notRunnable = async (): Promise<never> => {
  throw new Error('tools built for a configuration check cannot run');
};

/**
 * The configuration checks only the app can make: every tool an agent lists exists (a built-in the
 * configuration leaves out names the setting it needs) and is free of side effects. The CLI passes
 * them to loadConfig so they are reported (exit 2) with every other configuration problem, naming
 * the file; buildCore checks again for the tools known only at start.
 */
export const appConfigChecks: ReadonlyArray<ConfigCheck<Config>> = [
  (config) =>
    agentToolIssues(
      config.agents,
      [
        ...createTools(config, { summarize: notRunnable, answer: notRunnable }).list(),
        ...mcpToolInfos(config.mcp),
      ],
      unavailableBuiltins(toolOptions(config)),
    ),
];

/** What budgets need beyond the config: the store their usage lives in and the bus they publish on. */
export interface CoreDeps {
  db: Db;
  events: Publisher<BudgetEvent>;
}

/**
 * An unpriced model counts 0 USD rather than stopping the start: local models (Ollama, vLLM) are free
 * to the operator, and a deployment without a price table keeps running; the warning names each one.
 */
function warnUnpriced(config: Config, agents: AgentCatalog, logger: Logger): void {
  const prices = createPriceTable(config.prices);
  for (const ref of unpricedModels(
    prices,
    agents.list().map((agent) => agent.model),
  )) {
    logger.warn(
      { provider: ref.provider, model: ref.model },
      `model ${ref.provider}/${ref.model} has no price in the prices section: its calls count 0 USD (cost budgets and the cost alert do not see them)`,
    );
  }
  for (const name of Object.keys(config.budgets.agents)) {
    if (!agents.list().some((agent) => agent.name === name))
      logger.warn({ agent: name }, `budgets.agents.${name} names no configured agent; it limits nothing`);
  }
}

/** The model registry (with prices and budgets), the tool registry and the agents — what every role needs. */
export function buildCore(config: Config, metrics: Registry, logger: Logger, deps: CoreDeps): Core {
  const budgets = createBudgets({
    db: deps.db,
    config: config.budgets,
    events: deps.events,
    metrics,
    logger,
  });
  const llm = createLlmRegistry({
    options: llmOptions(config),
    metrics,
    logger,
    prices: createPriceTable(config.prices),
    gate: budgets.gate,
  });
  const mcp = createMcpClients({ config: config.mcp, logger, version: VERSION });
  const tools = createTools(
    config,
    createModelToolDeps({ llm, agent: (name) => agents.get(name ?? agents.defaultName) }),
    mcp.tools(),
  );
  const catalog = createAgentCatalog(config, tools.list(), unavailableBuiltins(toolOptions(config)));
  // Only reached when loadConfig ran without appConfigChecks, or for a tool known only at start.
  if (!catalog.ok) throw new StartupError(catalog.error.message);
  const agents = catalog.value;
  warnUnpriced(config, agents, logger);
  return { llm, tools, agents, mcp };
}
