import { z } from 'zod';
import { positiveInt, providerNames } from '../../platform/config/index.js';

const agentName = z
  .string()
  .regex(
    /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/,
    'letters, digits, ".", "_" or "-", at most 64, no leading symbol',
  );
// What LLM tool-calling APIs accept; the tool registry enforces the same rule.
const toolName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'letters, digits, "_" or "-", at most 64');

export const DEFAULT_SYSTEM_PROMPT =
  'You are Berth, a helpful assistant. Answer clearly and concisely; say so when you do not know.';

/** One entry of the `agents` section of berth.yaml. */
export const agentSchema = z.strictObject({
  name: agentName,
  description: z.string().max(500).optional(),
  /** Provider and model; default: the `llm` section's. */
  provider: z.enum(providerNames).optional(),
  model: z.string().min(1).optional(),
  systemPrompt: z.string().min(1).max(20_000).default(DEFAULT_SYSTEM_PROMPT),
  /** How many earlier messages of the conversation the model sees. Default 20. */
  historyWindow: positiveInt.max(500).default(20),
  /** Cap on one reply. Default 1024. */
  maxOutputTokens: positiveInt.max(200_000).default(1024),
  /** Tokens (input + output) one conversation may spend in all; past it chat answers token_budget_exceeded. Default 200000. */
  tokenBudget: positiveInt.default(200_000),
  temperature: z.coerce.number().min(0).max(2).optional(),
  /** Tools the model may call in chat. Default none. */
  tools: z.array(toolName).max(32).default([]),
  /** Model calls one turn may make; the last one runs without tools, so it has to answer. Default 5. */
  maxToolSteps: positiveInt.min(2).max(20).default(5),
  /** On /v1, forward the client's request (its tools, response_format) to this agent's model. Default false. */
  passthrough: z.boolean().optional(),
});
export type AgentConfig = z.output<typeof agentSchema>;

/** The `agents` section: names unique, each agent's tools listed once, a model wherever a provider is named. */
export const agentsSection = z
  .array(agentSchema)
  .default([])
  .superRefine((agents, ctx) => {
    const seen = new Set<string>();
    agents.forEach((agent, index) => {
      if (seen.has(agent.name)) {
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `"${agent.name}" is declared twice` });
      }
      seen.add(agent.name);
      const duplicate = agent.tools.find((name, i) => agent.tools.indexOf(name) !== i);
      if (duplicate) {
        ctx.addIssue({ code: 'custom', path: [index, 'tools'], message: `lists "${duplicate}" twice` });
      }
      if (agent.provider && agent.provider !== 'offline' && !agent.model) {
        ctx.addIssue({ code: 'custom', path: [index, 'model'], message: 'is required with a provider' });
      }
    });
  });
