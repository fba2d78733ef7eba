import { randomUUID } from 'node:crypto';
import type { ModelMessage } from 'ai';
import { AppError } from '../../platform/errors.js';
import type { Actor } from '../../platform/http/index.js';
import type { AgentCatalog } from '../agents/index.js';
import { actingUser, canAccess, requireAccess } from '../identity/index.js';
import type { LlmRegistry } from '../llm/index.js';
import type { ProposeAction, ProposedAction } from './action-proposals.js';
import type { ChatRepository, StoredMessage } from './chat.repository.js';
import type { ChatEvent, ChatPublisher } from './chat-events.js';
import { type ModelReply, runModel, type ToolEvent } from './run-model.js';
import { type RunOwner, runFacts, sessionHooks } from './session-hooks.js';
import { createToolSession, type ToolCatalog } from './tool-session.js';

export interface ChatTurnInput {
  actor: Actor;
  /** The user the turn is for, when the caller names one (its own id, or an admin's choice). */
  userId?: string;
  conversationId?: string;
  agent?: string;
  message: string;
  requestId: string;
}

export interface ChatReply {
  conversationId: string;
  messageId: string;
  response: string;
  model: string;
  agentVersion: string;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  /** Side-effecting calls of the turn: none ran, each is a task waiting for approval. */
  approvals: ProposedAction[];
}

export interface TurnOptions {
  signal?: AbortSignal;
  /** Streams the reply: called for each piece of text. */
  onDelta?: (text: string) => void;
  /** Called once the turn is validated, before the model runs. */
  onPrepared?: (meta: { conversationId: string; agentVersion: string }) => void;
  /** With onDelta: the agent's tool calls and their outcomes, as they happen. */
  onToolEvent?: (event: ToolEvent) => void;
}

/** The turn's facts for the bus: who, which agent, what it spent; never the text. */
const turnEvent = (
  run: RunOwner & { conversationId: string },
  reply: ModelReply,
  approvals: number,
): ChatEvent => ({
  type: 'chat.turn',
  ...runFacts(run),
  conversation_id: run.conversationId,
  model: reply.model,
  input_tokens: reply.usage.inputTokens,
  output_tokens: reply.usage.outputTokens,
  cost_usd: reply.usage.costUsd,
  approvals_requested: approvals,
});

export function createChatService(deps: {
  repo: ChatRepository;
  agents: AgentCatalog;
  llm: LlmRegistry;
  tools: ToolCatalog;
  /** Where chat.turn and a refused tool call's guardrail.blocked go (the lifecycle bus). */
  events?: ChatPublisher;
  /** Turns a side-effecting tool call into a task waiting for approval; without it such tools are not offered. */
  propose?: ProposeAction;
}) {
  const { repo, agents, llm, tools } = deps;

  /** Validates everything that can be checked before the model runs, so a failing turn writes nothing. */
  async function prepare(input: ChatTurnInput) {
    const { tenantId } = input.actor;
    const userId = actingUser(input.actor, input.userId);
    requireAccess(input.actor, 'chat:use', { tenantId, userId });
    if (!input.conversationId) {
      const agent = agents.get(input.agent ?? agents.defaultName);
      const conversation = { id: randomUUID(), tenantId, userId, agent: agent.name, isNew: true };
      return { agent, conversation, history: [] as StoredMessage[], tokensUsed: 0 };
    }
    const found = await repo.findConversation(tenantId, input.conversationId);
    // Only the user's own conversation continues, whoever asks for it.
    if (!found || found.userId !== userId) {
      throw new AppError('conversation_not_found', `Conversation ${input.conversationId} does not exist`);
    }
    if (input.agent !== undefined && input.agent !== found.agent) {
      throw new AppError(
        'conflict',
        `Conversation ${found.id} belongs to agent "${found.agent}", not "${input.agent}"`,
      );
    }
    const agent = agents.get(found.agent);
    if (found.tokensUsed >= agent.tokenBudget) {
      throw new AppError(
        'token_budget_exceeded',
        `Conversation ${found.id} has used ${found.tokensUsed} of its ${agent.tokenBudget} tokens; start a new conversation`,
      );
    }
    const history = await repo.recentMessages(tenantId, found.id, agent.historyWindow);
    return { agent, conversation: { ...found, isNew: false }, history, tokensUsed: found.tokensUsed };
  }

  return {
    /**
     * Runs one turn: the agent's system prompt + the last N messages + this message, and the agent's
     * tool loop. Stores both messages only on success; tool calls and results are not stored.
     */
    async turn(input: ChatTurnInput, options: TurnOptions = {}): Promise<ChatReply> {
      const { agent, conversation, history, tokensUsed } = await prepare(input);
      const prompt = {
        messages: [
          ...history.map((m): ModelMessage => ({ role: m.role, content: m.content })),
          { role: 'user', content: input.message } satisfies ModelMessage,
        ],
      };
      options.onPrepared?.({ conversationId: conversation.id, agentVersion: agent.version });
      const owner = { tenantId: conversation.tenantId, agent: agent.name };
      const run = {
        ...{ actor: input.actor, tenantId: conversation.tenantId, userId: conversation.userId, agent },
        ...{ requestId: input.requestId, conversationId: conversation.id, origin: 'chat' },
      };
      const session = createToolSession(tools, agent.tools, input.requestId, owner, sessionHooks(deps, run));
      const reply = await runModel(llm, agent, prompt, {
        context: { ...owner, requestId: input.requestId, userId: conversation.userId },
        signal: options.signal,
        onDelta: options.onDelta,
        onToolEvent: options.onToolEvent,
        tools: session,
        tokenAllowance: agent.tokenBudget - tokensUsed,
      });
      const saved = await repo.saveTurn({
        conversation,
        user: { content: input.message },
        assistant: { content: reply.text, model: reply.model, ...reply.usage },
        agentVersion: agent.version,
        requestId: input.requestId,
      });
      const approvals = session.proposals();
      deps.events?.publish(turnEvent(run, reply, approvals.length));
      return {
        conversationId: conversation.id,
        messageId: saved.assistantMessageId,
        response: reply.text,
        model: reply.model,
        agentVersion: agent.version,
        usage: reply.usage,
        approvals,
      };
    },

    async conversation(actor: Actor, id: string): Promise<StoredMessage[]> {
      const found = await repo.findConversation(actor.tenantId, id);
      if (!found || !canAccess(actor, 'conversations:read', found)) {
        throw new AppError('conversation_not_found', `Conversation ${id} does not exist`);
      }
      return repo.conversationMessages(actor.tenantId, id);
    },

    /** Every message of a user (the caller's own unless it names another and may read theirs), oldest first. */
    userHistory(actor: Actor, userId: string | undefined, limit: number) {
      const owner = userId ?? actor.userId;
      requireAccess(actor, 'conversations:read', { tenantId: actor.tenantId, userId: owner });
      return repo.userMessages(actor.tenantId, owner, limit);
    },

    /** A user's conversations (the caller's own unless it names another), most recently active first. */
    conversations(actor: Actor, userId: string | undefined, limit: number) {
      const owner = userId ?? actor.userId;
      requireAccess(actor, 'conversations:read', { tenantId: actor.tenantId, userId: owner });
      return repo.listConversations(actor.tenantId, owner, limit);
    },
  };
}
export type ChatService = ReturnType<typeof createChatService>;
