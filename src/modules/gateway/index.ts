import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Publisher } from '../../platform/events/index.js';
import type { HttpApp } from '../../platform/http/index.js';
import type { AgentCatalog } from '../agents/index.js';
import type { LlmRegistry } from '../llm/index.js';
import { createEmbeddings } from './embeddings.js';
import type { GatewayConfig } from './gateway.config.js';
import { answerPassthrough, registerEmbeddingRoutes } from './gateway.routes.js';
import type { CompletionRequest } from './gateway.schemas.js';
import { createGatewayService } from './gateway.service.js';
import type { GatewayEvent } from './gateway-events.js';
import { createTargets, type GatewayTarget } from './gateway-targets.js';

export { gatewayConfigIssues, gatewaySection } from './gateway.config.js';
export {
  type CompletionRequest,
  completionMessage,
  completionRequest,
  completionResponse,
  modelList,
} from './gateway.schemas.js';
export type { GatewayEvent } from './gateway-events.js';
export { checkAgentModeFields } from './request-fields.js';

interface GatewayDeps {
  config: GatewayConfig;
  agents: AgentCatalog;
  llm: LlmRegistry;
  events: Publisher<GatewayEvent>;
}

/** The governed OpenAI-compatible gateway: model routes and passthrough agents on /v1. */
export function createGateway(deps: GatewayDeps) {
  const targets = createTargets(deps.config, deps.agents);
  const service = createGatewayService({ llm: deps.llm, events: deps.events });
  const embed = createEmbeddings({ llm: deps.llm, events: deps.events });
  return {
    /** The chat target `model` names for this tenant, when it is a route or passthrough agent (else agent mode). */
    chatTarget: (model: string, tenantId: string) => targets.find(model, tenantId, 'chat'),
    /** Answers /v1/chat/completions for such a target (plain or streamed). */
    answer: (
      target: GatewayTarget,
      request: FastifyRequest<{ Body: CompletionRequest }>,
      reply: FastifyReply,
    ) => answerPassthrough(service, target, request, reply),
    /** The model routes this tenant may use, for /v1/models. */
    models: targets.models,
    registerRoutes: (http: HttpApp) => registerEmbeddingRoutes(http, { targets, embed }),
  };
}
export type Gateway = ReturnType<typeof createGateway>;
