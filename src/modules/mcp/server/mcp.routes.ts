import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { AppError } from '../../../platform/errors.js';
import { errorReply, type HttpApp } from '../../../platform/http/index.js';
import { createBerthMcpServer } from './berth-mcp-server.js';
import type { McpServerDeps } from './server-deps.js';

// The envelope of a JSON-RPC message; the SDK validates the rest (and answers JSON-RPC errors).
const rpcMessage = z.looseObject({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string().max(200), z.number()]).optional(),
  method: z.string().min(1).max(200).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});
const rpcBody = z.union([rpcMessage, z.array(rpcMessage).min(1).max(50)]);

/**
 * `/mcp`: Berth as a Streamable HTTP MCP server. Stateless — each POST gets a server bound to the
 * caller's actor (from the API key or token the access hook checked), so any replica can answer and
 * no session outlives its request; a tool that runs long (create_task with wait) streams its progress
 * as SSE on its own POST.
 */
export function registerMcpRoutes(app: HttpApp, deps: McpServerDeps) {
  app.route({
    method: 'POST',
    url: '/mcp',
    config: { permission: 'mcp:connect' },
    schema: {
      tags: ['mcp'],
      description:
        'The Model Context Protocol endpoint (Streamable HTTP, stateless): tools chat, create_task, get_task, list_tasks, cancel_task, decide_approval; resources berth://tasks/{id} and berth://conversations/{id}. Send `Accept: application/json, text/event-stream`. Members and above.',
      body: rpcBody,
      response: { 400: errorReply, 401: errorReply, 403: errorReply },
    },
    handler: async (request, reply) => {
      const server = createBerthMcpServer(deps, request.actor, request.id);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      reply.hijack();
      reply.raw.once('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    },
  });
  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: '/mcp',
      config: { permission: 'mcp:connect' },
      schema: {
        tags: ['mcp'],
        description: 'Not offered: /mcp is stateless (POST only).',
        response: { 405: errorReply },
      },
      handler: async (_request, reply) => {
        reply.header('allow', 'POST');
        throw new AppError(
          'method_not_allowed',
          '/mcp takes POST only: this server keeps no sessions or event streams',
        );
      },
    });
  }
}
