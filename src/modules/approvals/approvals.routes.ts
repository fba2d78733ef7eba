import { errorReply, type HttpApp } from '../../platform/http/index.js';
import {
  approvalList,
  approvalListQuery,
  approvalParams,
  approvalView,
  approvalWire,
  approveBody,
  rejectBody,
} from './approvals.schemas.js';
import type { ApprovalsService } from './approvals.service.js';

const errors = { 400: errorReply, 401: errorReply, 403: errorReply, 404: errorReply, 409: errorReply };

export function registerApprovalRoutes(app: HttpApp, deps: { approvals: ApprovalsService }) {
  const { approvals } = deps;
  app.route({
    method: 'GET',
    url: '/api/approvals',
    config: { permission: 'approvals:read' },
    schema: {
      tags: ['approvals'],
      description: "The tenant's approval requests, newest first; `status` and `task` filter them.",
      querystring: approvalListQuery,
      response: { 200: approvalList, ...errors },
    },
    handler: async (request) => {
      const { task, ...query } = request.query;
      const page = await approvals.list(request.actor, { ...query, taskId: task });
      return { approvals: page.approvals.map(approvalWire), next_cursor: page.nextCursor };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/approvals/:id',
    config: { permission: 'approvals:read' },
    schema: { tags: ['approvals'], params: approvalParams, response: { 200: approvalView, ...errors } },
    handler: async (request) => approvalWire(await approvals.get(request.actor, request.params.id)),
  });

  app.route({
    method: 'POST',
    url: '/api/approvals/:id/approve',
    config: { permission: 'approvals:decide' },
    schema: {
      tags: ['approvals'],
      description:
        'Approves the step to run with exactly the shown arguments. Send the `args_hash` you saw: another one is 409 `approval_args_changed`. ' +
        'Expired: 409 `approval_expired`; decided already: 409 `approval_decided`; four eyes and you asked for it: 403 `approval_needs_second_person`.',
      params: approvalParams,
      body: approveBody,
      response: { 200: approvalView, ...errors },
    },
    handler: async (request) =>
      approvalWire(await approvals.approve(request.actor, request.params.id, request.body.args_hash)),
  });

  app.route({
    method: 'POST',
    url: '/api/approvals/:id/reject',
    config: { permission: 'approvals:decide' },
    schema: {
      tags: ['approvals'],
      description:
        'Rejects the step with a reason: it fails with `approval_rejected` (not retried), and its task with it.',
      params: approvalParams,
      body: rejectBody,
      response: { 200: approvalView, ...errors },
    },
    handler: async (request) =>
      approvalWire(
        await approvals.reject(
          request.actor,
          request.params.id,
          request.body.reason.trim(),
          request.body.args_hash,
        ),
      ),
  });
}
