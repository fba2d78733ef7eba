import { type AgentCatalog, agentToolIssues, createAgentCatalog } from '../modules/agents/index.js';
import { createLlmRegistry, type LlmOptions, type LlmRegistry } from '../modules/llm/index.js';
import { createModelToolDeps } from '../modules/tasks/index.js';
import {
  builtinTools,
  createAnswerTool,
  createSummarizeTool,
  fetchUserAgent,
  type ModelToolDeps,
  ToolRegistry,
} from '../modules/tools/index.js';
import type { ConfigCheck } from '../platform/config/index.js';
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
}

function createTools(config: Config, modelTools: ModelToolDeps): ToolRegistry {
  return new ToolRegistry([
    ...builtinTools({ fetchUrl: { allow: config.tools.fetchAllow, userAgent: fetchUserAgent(VERSION) } }),
    createSummarizeTool(modelTools),
    createAnswerTool(modelTools),
  ]);
}

// For reading the tool catalogue before anything starts; the tools are listed, never run.
const notRunnable = async (): Promise<never> => {
  throw new Error('tools built for a configuration check cannot run');
};

/**
 * The configuration checks only the app can make: every tool an agent lists exists and is free of
 * side effects. The CLI passes them to loadConfig so they are reported (exit 2) with every other
 * configuration problem, naming the file; buildCore checks again for the tools known only at start.
 */
export const appConfigChecks: ReadonlyArray<ConfigCheck<Config>> = [
  (config) =>
    agentToolIssues(
      config.agents,
      createTools(config, { summarize: notRunnable, answer: notRunnable }).list(),
    ),
];

/** The model registry, the tool registry and the agents — what every role needs. */
export function buildCore(config: Config, metrics: Registry, logger: Logger): Core {
  const llm = createLlmRegistry({ options: llmOptions(config), metrics, logger });
  const tools = createTools(config, createModelToolDeps({ llm, agents: () => agents }));
  const catalog = createAgentCatalog(config, tools.list());
  // Only reached when loadConfig ran without appConfigChecks, or for a tool known only at start.
  if (!catalog.ok) throw new StartupError(catalog.error.message);
  const agents = catalog.value;
  return { llm, tools, agents };
}
