import type { AgentCatalog } from '../agents/index.js';
import type { LlmRegistry } from '../llm/index.js';
import { runModel } from './run-model.js';
import { createToolSession, type ToolCatalog } from './tool-session.js';

export interface InferInput {
  /** The tenant asking: its budgets apply. */
  tenantId: string;
  userId?: string;
  /** The agent that answers. */
  workflow: string;
  text: string;
  requestId: string;
  signal?: AbortSignal;
}

/** A tool call that succeeded and that the answer may rest on. */
export interface Evidence {
  tool: string;
  ref: string;
}

export interface InferReply {
  answer: string;
  evidence: Evidence[];
  /** The agent's version: which configuration produced the answer. */
  policyVersion: string;
}

/** One stateless question to an agent: its tool loop runs, nothing is stored. */
export function createInferService(deps: { agents: AgentCatalog; llm: LlmRegistry; tools: ToolCatalog }) {
  return {
    async infer(input: InferInput): Promise<InferReply> {
      const agent = deps.agents.get(input.workflow);
      const owner = { tenantId: input.tenantId, agent: agent.name };
      const session = createToolSession(deps.tools, agent.tools, input.requestId, owner);
      const reply = await runModel(
        deps.llm,
        agent,
        { messages: [{ role: 'user', content: input.text }] },
        {
          context: { ...owner, requestId: input.requestId, userId: input.userId },
          signal: input.signal,
          tools: session,
        },
      );
      return {
        answer: reply.text,
        evidence: session
          .outcomes()
          .filter((outcome) => outcome.ok)
          .map((outcome) => ({ tool: outcome.tool, ref: outcome.ref })),
        policyVersion: agent.version,
      };
    },
  };
}
export type InferService = ReturnType<typeof createInferService>;
