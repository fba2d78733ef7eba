import { randomUUID } from 'node:crypto';
import { AppError } from '../../platform/errors.js';
import { errorReply, type HttpApp, streamChunks } from '../../platform/http/index.js';
import type { AgentCatalog } from '../agents/index.js';
import { checkAgentModeFields, type Gateway } from '../gateway/index.js';
import type { LlmRegistry } from '../llm/index.js';
import {
  type CompletionRequest,
  completionRequest,
  completionResponse,
  modelList,
} from './openai.schemas.js';
import { type ModelPrompt, type ModelReply, runModel } from './run-model.js';
import { createToolSession, type ToolCatalog } from './tool-session.js';

type WireMessage = CompletionRequest['messages'][number];

function textOf(content: WireMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.map((part) => ('text' in part && typeof part.text === 'string' ? part.text : '')).join('');
}

/** The agent's system prompt comes first; the client's own system/developer messages follow it. Tool messages are not supported yet. */
function toPrompt(messages: WireMessage[]): ModelPrompt {
  const prompt: Required<ModelPrompt> = { extraInstructions: [], messages: [] };
  for (const message of messages) {
    const text = textOf(message.content);
    if (message.role === 'tool') {
      throw new AppError('validation_failed', 'messages: role "tool" is not supported by Berth agents yet');
    }
    if (message.role === 'system' || message.role === 'developer') prompt.extraInstructions.push(text);
    else prompt.messages.push({ role: message.role, content: text });
  }
  if (prompt.messages.length === 0) {
    throw new AppError('validation_failed', 'messages: at least one user or assistant message is required');
  }
  return prompt;
}

// cost_usd beside OpenAI's own fields: clients that do not know it ignore it.
const usageWire = (usage: ModelReply['usage']) => ({
  prompt_tokens: usage.inputTokens,
  completion_tokens: usage.outputTokens,
  total_tokens: usage.inputTokens + usage.outputTokens,
  cost_usd: usage.costUsd,
});

export function registerOpenAiRoutes(
  app: HttpApp,
  deps: {
    agents: AgentCatalog;
    llm: LlmRegistry;
    tools: ToolCatalog;
    startedAt: number;
    /** Model routes and passthrough agents, answered by the gateway; without it `model` is always an agent. */
    gateway?: Gateway;
  },
) {
  const created = Math.floor(deps.startedAt / 1000);
  app.route({
    method: 'GET',
    url: '/v1/models',
    config: { permission: 'agents:read' },
    schema: { tags: ['openai'], response: { 200: modelList } },
    handler: async (request) => ({
      object: 'list' as const,
      data: [
        ...deps.agents
          .list()
          .map((agent) => ({ id: agent.name, object: 'model' as const, created, owned_by: 'berth' })),
        ...(deps.gateway?.models(request.actor.tenantId, created) ?? []),
      ],
    }),
  });

  app.route({
    method: 'POST',
    url: '/v1/chat/completions',
    config: { permission: 'chat:use' },
    schema: {
      tags: ['openai'],
      description:
        'OpenAI-compatible chat completions. `model` names a Berth agent, whose own tools run server-side (only the final text is returned; client tools and response_format are refused), or a model route or passthrough agent, which forwards the request with its tools and response_format to the provider (docs/gateway.md). Stateless: the client sends the history.',
      body: completionRequest,
      response: {
        200: completionResponse,
        400: errorReply,
        404: errorReply,
        429: errorReply,
        502: errorReply,
        503: errorReply,
        504: errorReply,
      },
    },
    handler: async (request, reply) => {
      const body = request.body;
      const target = deps.gateway?.chatTarget(body.model, request.actor.tenantId);
      if (target) return deps.gateway?.answer(target, request, reply);
      checkAgentModeFields(body);
      const agent = deps.agents.get(body.model);
      const prompt = toPrompt(body.messages);
      const id = `chatcmpl-${randomUUID()}`;
      const now = Math.floor(Date.now() / 1000);
      const owner = { tenantId: request.actor.tenantId, agent: agent.name };
      const options = {
        context: { ...owner, requestId: request.id, userId: request.actor.userId },
        maxOutputTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
        temperature: body.temperature ?? undefined,
        tools: createToolSession(deps.tools, agent.tools, request.id, owner),
      };
      if (!body.stream) {
        const result = await runModel(deps.llm, agent, prompt, options);
        return {
          id,
          object: 'chat.completion' as const,
          created: now,
          model: agent.name,
          system_fingerprint: agent.version,
          choices: [
            {
              index: 0,
              message: { role: 'assistant' as const, content: result.text, refusal: null },
              logprobs: null,
              finish_reason: 'stop' as const,
            },
          ],
          usage: usageWire(result.usage),
        };
      }
      const chunk = (delta: object, finish: 'stop' | null) => ({
        id,
        object: 'chat.completion.chunk',
        created: now,
        model: agent.name,
        system_fingerprint: agent.version,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      });
      return streamChunks(request, reply, async (send, signal) => {
        // OpenAI's first chunk names the role; it goes out with the first text (or the end).
        let started = false;
        const out = (delta: object, finish: 'stop' | null) => {
          if (!started) send(chunk({ role: 'assistant', content: '' }, null));
          started = true;
          send(chunk(delta, finish));
        };
        const result = await runModel(deps.llm, agent, prompt, {
          ...options,
          signal,
          onDelta: (text) => {
            if (text) out({ content: text }, null);
          },
        });
        out({}, 'stop');
        if (body.stream_options?.include_usage) {
          send({ ...chunk({}, null), choices: [], usage: usageWire(result.usage) });
        }
      });
    },
  });
}
