import { AppError } from '../../platform/errors.js';
import { type Actor, errorReply, type HttpApp } from '../../platform/http/index.js';
import { actingUser, canAccess } from '../identity/index.js';
import type { ProposedAction } from './action-proposals.js';
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

/**
 * The tenant the request is for: the caller's own unless it names one, which must be its own (the
 * CLI's local operator may name any). Refused before the model runs.
 */
function callerTenant(actor: Actor, requested: string | undefined): string {
  if (requested === undefined || requested === actor.tenantId) return actor.tenantId;
  if (canAccess(actor, 'chat:use', { tenantId: requested })) return requested;
  throw new AppError('forbidden', `body.tenant_id "${requested}" is not your tenant`, {
    details: [{ field: 'body.tenant_id', message: 'must be your own tenant' }],
  });
}

const actionWire = (action: ProposedAction) => ({
  tool: action.tool,
  arguments: action.arguments,
  args_hash: action.argsHash,
});

function approvalFields(proposals: ProposedAction[]) {
  const [first] = proposals;
  if (!first) return { status: 'completed' as const, approval_required: false };
  return {
    status: 'awaiting_approval' as const,
    approval_required: true,
    approval_request_id: first.approvalId,
    task_id: first.taskId,
    proposed_action: actionWire(first),
    proposed_actions: proposals.map((action) => ({
      ...actionWire(action),
      approval_request_id: action.approvalId,
      task_id: action.taskId,
    })),
  };
}

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
        'Stateless: no conversation is stored and `user_id` is not kept. `request_id` echoes yours, else the x-request-id. ' +
        'When the workflow reaches a side-effecting tool it does not run: the answer has `approval_required: true`, ' +
        '`status: awaiting_approval`, `approval_request_id`, `task_id` and the `proposed_action` (tool, exact arguments, args_hash), ' +
        'a task waiting for an operator. `tenant_id`, when given, must be your own tenant (else 403 forbidden).',
      body: inferBody(deps.maxMessageChars),
      response: { 200: inferReply, ...errors },
    },
    handler: async (request, reply) => {
      const body = request.body;
      const tenantId = callerTenant(request.actor, body.tenant_id);
      const userId = actingUser(request.actor, body.user_id);
      // A caller that gives up cancels the model call and any tool still running.
      const abort = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      const result = await deps.infer.infer({
        actor: request.actor,
        tenantId,
        userId,
        workflow: body.workflow,
        text: body.input.text,
        requestId: request.id,
        signal: abort.signal,
      });
      return {
        request_id: body.request_id ?? request.id,
        ...approvalFields(result.proposals),
        answer: result.answer,
        evidence: result.evidence.map((item) => ({ type: 'tool' as const, ...item })),
        policy_version: result.policyVersion,
      };
    },
  });
}
