import { z } from 'zod';
import { checkResult, errorReply, type HttpApp } from '../../platform/http/index.js';
import type { StatusService } from './status.service.js';

const statusReply = z.object({
  version: z.string(),
  store: z.object({ kind: z.string() }),
  ready: z.object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.array(checkResult),
  }),
  queue: z
    .object({
      waiting: z.number(),
      active: z.number(),
      delayed: z.number(),
      failed: z.number(),
      oldest_wait_ms: z.number().nullable(),
    })
    .nullable()
    .describe('null when the queue could not be read; `queue_error` says why'),
  queue_error: z.string().optional(),
  agents: z.array(
    z.object({
      name: z.string(),
      description: z.string().optional(),
      provider: z.string(),
      model: z.string(),
      version: z.string(),
    }),
  ),
  offline_model: z.boolean(),
  llm: z.object({
    provider: z.string(),
    model: z.string().nullable(),
    breakers: z.array(z.object({ provider: z.string(), state: z.string() })),
  }),
  mcp: z
    .array(
      z.object({
        name: z.string(),
        transport: z.enum(['stdio', 'http']),
        state: z.enum(['connecting', 'ready', 'restarting', 'failed']),
        last_error: z.string().nullable(),
        tools: z.number().describe('allow-listed tools the server lists now'),
        available: z.array(z.string()).describe('their names as agents and plans use them: <server>__<tool>'),
        missing: z.array(z.string()).describe('allow-listed tools the server does not list now'),
        restarts: z.number(),
        required: z.boolean().describe('when true, /readyz fails while the server is not ready'),
      }),
    )
    .describe('the MCP servers of berth.yaml (mcp.servers) and their connections'),
});

export function registerStatusRoutes(app: HttpApp, status: StatusService) {
  app.route({
    method: 'GET',
    url: '/api/status',
    config: { permission: 'status:read' },
    schema: {
      tags: ['status'],
      description:
        'The state of the service for the status page: readiness checks (the same as /readyz, an open circuit of a model provider among them), queue depth, agents and their versions, the model in use and its circuit breakers, the MCP servers and their state. Always 200; `ready.status` says whether it is ready, and `queue` is null (with `queue_error`) while the queue cannot be read.',
      response: { 200: statusReply, 401: errorReply },
    },
    handler: async () => status.status(),
  });
}
