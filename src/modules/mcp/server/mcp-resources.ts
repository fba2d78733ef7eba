import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { AppError } from '../../../platform/errors.js';
import type { Actor } from '../../../platform/http/index.js';
import { taskWire } from '../../tasks/index.js';
import type { McpServerDeps } from './server-deps.js';

const LISTED = 50;
const uuid = z.uuid();
const json = (uri: URL, value: unknown) => ({
  contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
});
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? '';

/**
 * The caller's conversations and task results as resources (`berth://conversations/{id}`,
 * `berth://tasks/{id}`), read through the same services and access checks as the REST API: another
 * tenant's id reads as not found.
 */
export function registerBerthResources(server: McpServer, deps: McpServerDeps, actor: Actor): void {
  server.registerResource(
    'task',
    new ResourceTemplate('berth://tasks/{task_id}', {
      list: async () => {
        const page = await deps.tasks.list(actor, { limit: LISTED });
        return {
          resources: page.tasks.map((task) => ({
            uri: `berth://tasks/${task.id}`,
            name: task.title,
            description: `task ${task.status}`,
            mimeType: 'application/json',
          })),
        };
      },
    }),
    { description: 'A task: its status, steps and result', mimeType: 'application/json' },
    async (uri, variables) => {
      const id = one(variables.task_id);
      if (!uuid.safeParse(id).success) throw new AppError('task_not_found', `Task ${id} does not exist`);
      const { task, steps } = await deps.tasks.get(actor, id);
      return json(uri, taskWire(task, steps));
    },
  );
  server.registerResource(
    'conversation',
    new ResourceTemplate('berth://conversations/{conversation_id}', {
      list: async () => {
        const rows = await deps.chat.conversations(actor, undefined, LISTED);
        return {
          resources: rows.map((row) => ({
            uri: `berth://conversations/${row.id}`,
            name: row.title ?? `conversation with ${row.agent}`,
            mimeType: 'application/json',
          })),
        };
      },
    }),
    { description: 'A conversation: its messages, oldest first', mimeType: 'application/json' },
    async (uri, variables) => {
      const id = one(variables.conversation_id);
      if (!uuid.safeParse(id).success) {
        throw new AppError('conversation_not_found', `Conversation ${id} does not exist`);
      }
      const messages = await deps.chat.conversation(actor, id);
      return json(uri, {
        conversation_id: id,
        messages: messages.map((m) => ({
          role: m.role,
          content: m.content,
          created_at: m.createdAt.toISOString(),
        })),
      });
    },
  );
}
