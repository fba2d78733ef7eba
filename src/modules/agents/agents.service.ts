import { createHash } from 'node:crypto';
import { ConfigError, type ConfigIssue, type LlmConfig } from '../../platform/config/index.js';
import { type AgentConfig, agentSchema } from './agents.config.js';

/** What the catalogue reads of the config. */
export interface AgentsConfig {
  agents: readonly AgentConfig[];
  llm: LlmConfig;
}

import { AppError, fail, ok, type Result } from '../../platform/errors.js';
import { type ModelRef, OFFLINE_MODEL_ID } from '../llm/index.js';

export interface Agent extends Omit<AgentConfig, 'provider' | 'model'> {
  model: ModelRef;
  /** Hash of the resolved configuration: changes whenever anything that shapes answers changes. */
  version: string;
}

export interface AgentCatalog {
  list(): Agent[];
  /** The named agent; AppError agent_not_found when there is none. */
  get(name: string): Agent;
  readonly defaultName: string;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function agentVersion(agent: Omit<Agent, 'version'>, baseUrl: string | undefined): string {
  return createHash('sha256')
    .update(stableJson({ ...agent, baseUrl }))
    .digest('hex')
    .slice(0, 12);
}

function providerBaseUrl(config: AgentsConfig, provider: ModelRef['provider']): string | undefined {
  const { llm } = config;
  const byProvider = {
    offline: undefined,
    openai: llm.openai.baseUrl,
    anthropic: llm.anthropic.baseUrl,
    google: llm.google.baseUrl,
    ollama: llm.ollama.baseUrl,
    'openai-compatible': llm.openaiCompatible.baseUrl,
  } as const;
  return byProvider[provider];
}

function resolve(raw: AgentConfig, config: AgentsConfig): Agent {
  const { provider: ownProvider, model: ownModel, ...rest } = raw;
  const provider = ownProvider ?? config.llm.provider;
  const model = ownModel ?? (ownProvider ? undefined : config.llm.model) ?? OFFLINE_MODEL_ID;
  const resolved = { ...rest, model: { provider, model } };
  return { ...resolved, version: agentVersion(resolved, providerBaseUrl(config, provider)) };
}

/** What the catalog needs to know of a tool (the tool registry's descriptors fit). */
export interface ToolInfo {
  name: string;
  sideEffects: boolean;
}

/** A tool this configuration does not register, and what would (the tools module's UnavailableTool fits). */
export interface MissingTool {
  name: string;
  reason: string;
}

/** Problems with the agents' tool lists, each at its config key (`agents.<i>.tools.<j>`). */
export function agentToolIssues(
  agents: readonly AgentConfig[],
  tools: readonly ToolInfo[],
  missing: readonly MissingTool[] = [],
): ConfigIssue[] {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const unavailable = new Map(missing.map((tool) => [tool.name, tool.reason]));
  // A side-effecting tool may be listed: chat's loop proposes such a call for approval instead of running it.
  const allowed = tools.map((tool) => tool.name).join(', ') || 'none';
  return agents.flatMap((agent, index) =>
    agent.tools.flatMap((name, position): ConfigIssue[] => {
      const path = ['agents', index, 'tools', position];
      const tool = byName.get(name);
      const reason = unavailable.get(name);
      if (!tool && reason) return [{ path, message: `is not available: ${name} ${reason}`, allowed }];
      if (!tool) return [{ path, message: 'unknown tool', allowed }];
      return [];
    }),
  );
}

/** The same problems as one line each, in loadConfig's format (without the file, which it does not know). */
export function checkAgentTools(
  agents: readonly AgentConfig[],
  tools: readonly ToolInfo[],
  missing: readonly MissingTool[] = [],
): string[] {
  return agentToolIssues(agents, tools, missing).map((issue) => {
    const [, agent, , position] = issue.path as [string, number, string, number];
    const name = agents[agent]?.tools[position];
    return `${issue.path.join('.')}: ${issue.message}; got "${name}"; allowed: ${issue.allowed}`;
  });
}

/**
 * The agents of the configuration, resolved against the llm defaults; `default` always exists.
 * Fails when an agent names a tool that does not exist (saying what would bring it in, for a
 * built-in the configuration leaves out). A side-effecting tool is allowed: chat and infer never
 * run one, they propose it for approval.
 */
export function createAgentCatalog(
  config: AgentsConfig,
  tools: readonly ToolInfo[] = [],
  missing: readonly MissingTool[] = [],
): Result<AgentCatalog, ConfigError> {
  const problems = checkAgentTools(config.agents, tools, missing);
  if (problems.length > 0) return fail(new ConfigError(problems));
  return ok(buildCatalog(config));
}

function buildCatalog(config: AgentsConfig): AgentCatalog {
  const declared = config.agents.some((agent) => agent.name === 'default')
    ? config.agents
    : [
        agentSchema.parse({ name: 'default', description: 'The built-in general assistant' }),
        ...config.agents,
      ];
  const agents = new Map(declared.map((raw) => [raw.name, resolve(raw, config)]));
  return {
    defaultName: 'default',
    list: () => [...agents.values()],
    get(name) {
      const agent = agents.get(name);
      if (!agent) {
        throw new AppError('agent_not_found', `Unknown agent "${name}"`, {
          details: { known: [...agents.keys()] },
        });
      }
      return agent;
    },
  };
}
