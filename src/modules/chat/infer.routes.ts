import { errorReply, type HttpApp } from '../../platform/http/index.js';
import { actingUser } from '../identity/index.js';
import { inferBody, inferReply } from './infer.schemas.js';
import type { InferService } from './infer.service.js';

const errors = {
  400: errorReply,
  401: errorReply,
  403: errorReply,
  404: errorReply,
  429: errorReply,
  502: errorReply,
  503: errorReply,
  504: errorReply,
};

export function registerInferRoutes(app: HttpApp, deps: { infer: InferService; maxMessageChars: number }) {
  app.route({
    method: 'POST',
    url: '/v1/agent/infer',
    config: { permission: 'chat:use' },
    schema: {
      tags: ['agents'],
      description:
        'Asks the agent named by `workflow` one question and returns its answer, with the tool calls it rests on ' +
        '(`evidence`: for fetch_url the final URL, otherwise the tool call id) and the agent version (`policy_version`). ' +
        'Stateless: no conversation is stored and `user_id` is not kept. `request_id` echoes yours, else the x-request-id.',
      body: inferBody(deps.maxMessageChars),
      response: { 200: inferReply, ...errors },
    },
    handler: async (request, reply) => {
      const body = request.body;
      const userId = actingUser(request.actor, body.user_id);
      // A caller that gives up cancels the model call and any tool still running.
      const abort = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      const result = await deps.infer.infer({
        tenantId: request.actor.tenantId,
        userId,
        workflow: body.workflow,
        text: body.input.text,
        requestId: request.id,
        signal: abort.signal,
      });
      return {
        request_id: body.request_id ?? request.id,
        status: 'completed' as const,
        answer: result.answer,
        evidence: result.evidence.map((item) => ({ type: 'tool' as const, ...item })),
        policy_version: result.policyVersion,
      };
    },
  });
}
