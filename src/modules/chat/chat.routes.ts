import { z } from 'zod';
import {
  errorReply,
  type HttpApp,
  type SseStream,
  streamSse,
  wantsEventStream,
} from '../../platform/http/index.js';
import type { ProposedAction } from './action-proposals.js';
import type { ConversationSummary, StoredMessage } from './chat.repository.js';
import { chatBody, chatReply, conversationList, historyReply, userId } from './chat.schemas.js';
import type { ChatReply, ChatService } from './chat.service.js';
import type { ToolEvent } from './run-model.js';

/** A chat reply as the API (and the /mcp chat tool) answers it. */
export const chatReplyWire = (reply: ChatReply, requestId: string) => ({
  conversation_id: reply.conversationId,
  message_id: reply.messageId,
  response: reply.response,
  model: reply.model,
  agent_version: reply.agentVersion,
  usage: {
    input_tokens: reply.usage.inputTokens,
    output_tokens: reply.usage.outputTokens,
    cost_usd: reply.usage.costUsd,
  },
  approvals: reply.approvals.map(proposalWire),
  request_id: requestId,
});

/** A side-effecting call the turn proposed instead of running (the user's own data: it is their reply). */
export const proposalWire = (action: ProposedAction) => ({
  approval_id: action.approvalId,
  task_id: action.taskId,
  tool: action.tool,
  arguments: action.arguments,
  args_hash: action.argsHash,
});

// Small on purpose: a preview of the input, and for results only whether they worked.
const toolEventWire = (event: ToolEvent) =>
  event.type === 'call'
    ? { name: 'tool_call', data: { id: event.id, tool: event.tool, input: event.input } }
    : {
        name: 'tool_result',
        data: {
          id: event.id,
          tool: event.tool,
          ok: event.ok,
          ...(event.error ? { error: event.error } : {}),
          ...(event.proposal
            ? { approval_id: event.proposal.approvalId, task_id: event.proposal.taskId }
            : {}),
        },
      };

const historyWire = (messages: StoredMessage[]) => ({
  messages: messages.map((m) => ({
    role: m.role,
    content: m.content,
    conversation_id: m.conversationId,
    created_at: m.createdAt.toISOString(),
  })),
});

const conversationWire = (c: ConversationSummary) => ({
  id: c.id,
  agent: c.agent,
  title: c.title,
  tokens_used: c.tokensUsed,
  created_at: c.createdAt.toISOString(),
  updated_at: c.updatedAt.toISOString(),
});

const errors = {
  400: errorReply,
  401: errorReply,
  403: errorReply,
  404: errorReply,
  409: errorReply,
  422: errorReply,
  429: errorReply,
  502: errorReply,
  503: errorReply,
  504: errorReply,
};

export function registerChatRoutes(app: HttpApp, deps: { chat: ChatService; maxMessageChars: number }) {
  const { chat } = deps;
  app.route({
    method: 'POST',
    url: '/api/chat',
    config: { permission: 'chat:use' },
    schema: {
      tags: ['chat'],
      description:
        "One chat turn, with the agent's tool loop when it has tools. With `Accept: text/event-stream` the answer streams as SSE: `start`, then `token` (`{delta}`), `tool_call` (`{id, tool, input}`, input previewed) and `tool_result` (`{id, tool, ok, error?}`; for a side-effecting tool also `approval_id` and `task_id`: it did not run, it waits for approval) as they happen, then `done` with the same fields as the JSON reply (or `error`). `approvals` lists the actions the turn proposed: each a task waiting for an operator to approve exactly its `arguments`.",
      body: chatBody(deps.maxMessageChars),
      response: { 200: chatReply, ...errors },
    },
    handler: async (request, reply) => {
      const body = request.body;
      const input = {
        actor: request.actor,
        userId: body.user_id,
        conversationId: body.conversation_id,
        agent: body.agent,
        message: body.message,
        requestId: request.id,
      };
      if (!wantsEventStream(request)) {
        return chatReplyWire(await chat.turn(input), request.id);
      }
      // The SSE response starts with the first token, so failures before it (bad agent, breaker open) are plain JSON errors with their status.
      let meta = { conversationId: '', agentVersion: '' };
      const stream = {
        errorEvent: 'error',
        onOpen: (sse: SseStream) =>
          sse.send('start', {
            conversation_id: meta.conversationId,
            agent_version: meta.agentVersion,
            request_id: request.id,
          }),
      };
      return streamSse(request, reply, stream, async (sse) => {
        // A client that goes away mid-answer cancels the model call; nothing is stored for that turn.
        const result = await chat.turn(input, {
          signal: sse.signal,
          onPrepared: (m) => {
            meta = m;
          },
          onDelta: (delta) => {
            if (delta) sse.send('token', { delta });
          },
          onToolEvent: (event) => {
            const wire = toolEventWire(event);
            sse.send(wire.name, wire.data);
          },
        });
        sse.send('done', chatReplyWire(result, request.id));
      });
    },
  });

  app.route({
    method: 'GET',
    url: '/api/chat/history/:user_id',
    config: { permission: 'conversations:read' },
    schema: {
      tags: ['chat'],
      params: z.object({ user_id: userId }),
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(5000).default(500) }),
      response: { 200: historyReply, 400: errorReply, 401: errorReply, 403: errorReply },
    },
    handler: async (request) =>
      historyWire(await chat.userHistory(request.actor, request.params.user_id, request.query.limit)),
  });

  app.route({
    method: 'GET',
    url: '/api/conversations',
    config: { permission: 'conversations:read' },
    schema: {
      tags: ['chat'],
      description:
        "A user's conversations, most recently active first; `title` is the first user message (cut to 120 characters). Without `user_id`: the caller's own.",
      querystring: z.object({
        user_id: userId.optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
      response: { 200: conversationList, 400: errorReply, 401: errorReply, 403: errorReply },
    },
    handler: async (request) => {
      const { user_id, limit } = request.query;
      const found = await chat.conversations(request.actor, user_id, limit);
      return { conversations: found.map(conversationWire) };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/conversations/:id',
    config: { permission: 'conversations:read' },
    schema: {
      tags: ['chat'],
      params: z.object({ id: z.uuid() }),
      response: { 200: historyReply.extend({ id: z.string() }), 400: errorReply, 404: errorReply },
    },
    handler: async (request) => ({
      id: request.params.id,
      ...historyWire(await chat.conversation(request.actor, request.params.id)),
    }),
  });
}
