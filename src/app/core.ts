import { type AgentCatalog, createAgentCatalog } from '../modules/agents/index.js';
import { createLlmRegistry, type LlmOptions, type LlmRegistry } from '../modules/llm/index.js';
import { createModelToolDeps } from '../modules/tasks/index.js';
import {
  builtinTools,
  createAnswerTool,
  createSummarizeTool,
  fetchUserAgent,
  ToolRegistry,
} from '../modules/tools/index.js';
import type { Config } from '../platform/config/index.js';
import type { Logger, Registry } from '../platform/telemetry/index.js';
import { VERSION } from '../version.js';
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
});

export interface Core {
  llm: LlmRegistry;
  tools: ToolRegistry;
  agents: AgentCatalog;
}

/** The model registry, the tool registry and the agents — what every role needs. */
export function buildCore(config: Config, metrics: Registry, logger: Logger): Core {
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
  return { llm, tools, agents };
}
