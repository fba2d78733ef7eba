import type { Actor } from '../../platform/http/index.js';
import type { AgentCatalog } from '../agents/index.js';
import type { LlmRegistry } from '../llm/index.js';
import type { ProposeAction, ProposedAction } from './action-proposals.js';
import type { ChatPublisher } from './chat-events.js';
import { runModel } from './run-model.js';
import { sessionHooks } from './session-hooks.js';
import { createToolSession, type ToolCatalog } from './tool-session.js';

export interface InferInput {
  actor: Actor;
  /** The tenant asking (the caller's, checked by the route): its budgets apply, its tasks hold proposals. */
  tenantId: string;
  userId: string;
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
  /** Side-effecting calls the workflow reached: none ran, each waits for approval. */
  proposals: ProposedAction[];
}

export interface InferDeps {
  agents: AgentCatalog;
  llm: LlmRegistry;
  tools: ToolCatalog;
  /** Where a refused tool call's guardrail.blocked goes. */
  events?: ChatPublisher;
  /** Turns a side-effecting call into a task waiting for approval; without it such tools are not offered. */
  propose?: ProposeAction;
}

/** One stateless question to an agent: its tool loop runs, nothing is stored (but a proposed action's task). */
export function createInferService(deps: InferDeps) {
  return {
    async infer(input: InferInput): Promise<InferReply> {
      const agent = deps.agents.get(input.workflow);
      const owner = { tenantId: input.tenantId, agent: agent.name };
      const run = { ...input, agent, origin: 'infer' };
      const session = createToolSession(
        deps.tools,
        agent.tools,
        input.requestId,
        owner,
        sessionHooks(deps, run),
      );
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
          .filter((outcome) => outcome.ok && !outcome.proposal)
          .map((outcome) => ({ tool: outcome.tool, ref: outcome.ref })),
        policyVersion: agent.version,
        proposals: session.proposals(),
      };
    },
  };
}
export type InferService = ReturnType<typeof createInferService>;
