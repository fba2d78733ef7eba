import { createHash } from 'node:crypto';
import type { AgentConfig, Config } from '../../platform/config/index.js';
import { agentSchema } from '../../platform/config/index.js';
import { AppError } from '../../platform/errors.js';
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

function providerBaseUrl(config: Config, provider: ModelRef['provider']): string | undefined {
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

function resolve(raw: AgentConfig, config: Config): Agent {
  const { provider: ownProvider, model: ownModel, ...rest } = raw;
  const provider = ownProvider ?? config.llm.provider;
  const model = ownModel ?? (ownProvider ? undefined : config.llm.model) ?? OFFLINE_MODEL_ID;
  const resolved = { ...rest, model: { provider, model } };
  return { ...resolved, version: agentVersion(resolved, providerBaseUrl(config, provider)) };
}

/** The agents of the configuration, resolved against the llm defaults; `default` always exists. */
export function createAgentCatalog(config: Config): AgentCatalog {
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
