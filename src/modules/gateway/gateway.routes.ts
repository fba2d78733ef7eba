import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.js';
import { errorReply, type HttpApp, streamChunks } from '../../platform/http/index.js';
import type { createEmbeddings } from './embeddings.js';
import { type CompletionRequest, embeddingRequest, embeddingResponse } from './gateway.schemas.js';
import type { GatewayCaller, GatewayService } from './gateway.service.js';
import type { GatewayTarget, GatewayTargets } from './gateway-targets.js';

const callerOf = (request: FastifyRequest, signal?: AbortSignal): GatewayCaller => ({
  tenantId: request.actor.tenantId,
  userId: request.actor.userId,
  ...(request.actor.keyId ? { keyId: request.actor.keyId } : {}),
  requestId: request.id,
  ...(signal ? { signal } : {}),
});

/**
 * Answers /v1/chat/completions for a model route or passthrough agent: the provider's answer in
 * OpenAI's format, plain or streamed. A failure before the first chunk is the usual JSON error; one
 * after it is an error event, then the stream ends (as OpenAI does).
 */
export async function answerPassthrough(
  service: GatewayService,
  target: GatewayTarget,
  request: FastifyRequest<{ Body: CompletionRequest }>,
  reply: FastifyReply,
) {
  const call = service.prepare(target, request.body);
  if (!request.body.stream) return service.complete(call, callerOf(request));
  return streamChunks(request, reply, (send, signal) =>
    service.stream(call, callerOf(request, signal), { send }),
  );
}

export function registerEmbeddingRoutes(
  app: HttpApp,
  deps: { targets: GatewayTargets; embed: ReturnType<typeof createEmbeddings> },
) {
  app.route({
    method: 'POST',
    url: '/v1/embeddings',
    config: { permission: 'chat:use' },
    schema: {
      tags: ['openai'],
      description:
        'OpenAI-compatible embeddings; `model` names a model route of type embedding (GET /v1/models lists them).',
      body: embeddingRequest,
      response: {
        200: embeddingResponse,
        400: errorReply,
        404: errorReply,
        429: errorReply,
        502: errorReply,
        503: errorReply,
        504: errorReply,
      },
    },
    handler: async (request) => {
      const target = deps.targets.find(request.body.model, request.actor.tenantId, 'embedding');
      if (!target)
        throw new AppError('not_found', `no embedding model named "${request.body.model}"`, {
          details: { model: request.body.model },
        });
      return deps.embed(target, request.body, callerOf(request));
    },
  });
}
