import { z } from 'zod';
import { errorReply, type HttpApp } from '../../platform/http/index.js';
import { auditEventView, auditQuery, chainView, checkpointWire, eventWire } from './audit.schemas.js';
import type { AuditService } from './audit.service.js';

const errors = { 400: errorReply, 401: errorReply, 403: errorReply };

export function registerAuditRoutes(app: HttpApp, deps: { audit: AuditService }) {
  const { audit } = deps;
  app.route({
    method: 'GET',
    url: '/api/audit',
    config: { permission: 'audit:read' },
    schema: {
      tags: ['audit'],
      summary: "A tenant's audit events in chain order, filtered; cursor pagination",
      querystring: auditQuery,
      response: {
        200: z.object({ events: z.array(auditEventView), next_cursor: z.string().nullable() }),
        ...errors,
      },
    },
    handler: async (request) => {
      const q = request.query;
      const page = await audit.list(request.actor, q.tenant_id, {
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
        action: q.action,
        actor: q.actor,
        requestId: q.request_id,
        outcome: q.outcome,
        afterSeq: q.cursor === undefined ? undefined : Number(q.cursor),
        limit: q.limit,
      });
      return { events: page.events.map(eventWire), next_cursor: page.nextCursor };
    },
  });
  app.route({
    method: 'GET',
    url: '/api/audit/chain',
    config: { permission: 'audit:read' },
    schema: {
      tags: ['audit'],
      summary: "The head of a tenant's chain and its signed checkpoints (what `berth audit verify` checks)",
      querystring: z.strictObject({ tenant_id: auditQuery.shape.tenant_id }),
      response: { 200: chainView, ...errors },
    },
    handler: async (request) => {
      const chain = await audit.chain(request.actor, request.query.tenant_id);
      return { head: chain.head, checkpoints: chain.checkpoints.map(checkpointWire) };
    },
  });
}
