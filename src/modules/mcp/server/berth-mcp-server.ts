import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Actor } from '../../../platform/http/index.js';
import { chatReplyWire } from '../../chat/index.js';
import { taskStatuses, taskSummaryWire, taskWire } from '../../tasks/index.js';
import { registerBerthResources } from './mcp-resources.js';
import type { McpServerDeps } from './server-deps.js';
import { awaitTask } from './task-progress.js';
import { asToolResult } from './tool-replies.js';

const taskId = z.uuid().describe('a task id, as create_task and list_tasks return it');
const planStep = z.object({
  key: z.string().min(1).max(64),
  tool: z.string().min(1).max(64),
  input: z.record(z.string(), z.unknown()).default({}),
  depends_on: z.array(z.string()).default([]),
});
const DEFAULT_WAIT_S = 60;

/**
 * Berth as an MCP server for one request of one caller: every tool calls the service the REST API
 * calls with the caller's actor, so tenant, role and ownership rules are the same, and so are the
 * error codes (returned as tool errors).
 */
export function createBerthMcpServer(deps: McpServerDeps, actor: Actor, requestId: string): McpServer {
  const server = new McpServer({ name: 'berth', version: deps.version });
  const maxWaitS = Math.floor((deps.maxWaitMs ?? 300_000) / 1000);

  server.registerTool(
    'chat',
    {
      description:
        'Sends a message to a Berth agent and returns its reply; pass conversation_id to continue a conversation.',
      inputSchema: {
        message: z.string().min(1).max(100_000),
        agent: z.string().max(64).optional(),
        conversation_id: z.uuid().optional(),
      },
    },
    ({ message, agent, conversation_id }, extra) =>
      asToolResult(async () => {
        const reply = await deps.chat.turn(
          { actor, message, agent, conversationId: conversation_id, requestId },
          { signal: extra.signal },
        );
        return chatReplyWire(reply, requestId);
      }),
  );

  server.registerTool(
    'create_task',
    {
      description:
        'Creates a background task: the planner turns the description into tool steps, or pass `steps` for an explicit plan. With wait (default true) it reports each step as progress and returns the task once it finishes, waits for an approval, or wait_seconds pass.',
      inputSchema: {
        description: z.string().min(1).max(20_000),
        title: z.string().max(200).optional(),
        agent: z.string().max(64).optional(),
        steps: z.array(planStep).max(50).optional(),
        wait: z.boolean().default(true),
        wait_seconds: z.number().int().min(1).max(maxWaitS).default(Math.min(DEFAULT_WAIT_S, maxWaitS)),
      },
    },
    (input, extra) =>
      asToolResult(async () => {
        const { task } = await deps.tasks.create({
          ...deps.tasks.creation(actor, undefined),
          description: input.description,
          title: input.title,
          agent: input.agent,
          steps: input.steps?.map(({ depends_on, ...step }) => ({ ...step, dependsOn: depends_on })),
          requestId,
        });
        if (!input.wait) return taskSummaryWire(task);
        const progressToken = extra._meta?.progressToken;
        const view = await awaitTask(deps, actor, task.id, {
          waitMs: input.wait_seconds * 1000,
          signal: extra.signal,
          onProgress: (progress) => {
            if (progressToken === undefined) return;
            void extra
              .sendNotification({ method: 'notifications/progress', params: { progressToken, ...progress } })
              .catch(() => {});
          },
        });
        return taskWire(view.task, view.steps);
      }),
  );

  server.registerTool(
    'get_task',
    {
      description: 'A task with its steps, their outputs (previewed) and its result.',
      inputSchema: { task_id: taskId },
    },
    ({ task_id }) =>
      asToolResult(async () => {
        const { task, steps } = await deps.tasks.get(actor, task_id);
        return taskWire(task, steps);
      }),
  );

  server.registerTool(
    'list_tasks',
    {
      description: "The caller's tasks, newest first (an operator's: the tenant's).",
      inputSchema: {
        status: z.enum(taskStatuses).optional(),
        limit: z.number().int().min(1).max(100).default(20),
        cursor: z.string().max(200).optional(),
      },
    },
    (query) =>
      asToolResult(async () => {
        const page = await deps.tasks.list(actor, query);
        return { tasks: page.tasks.map(taskSummaryWire), next_cursor: page.nextCursor };
      }),
  );

  server.registerTool(
    'cancel_task',
    { description: 'Cancels a task that has not finished.', inputSchema: { task_id: taskId } },
    ({ task_id }) => asToolResult(async () => taskSummaryWire(await deps.tasks.cancel(actor, task_id))),
  );

  server.registerTool(
    'decide_approval',
    {
      description:
        'Approves or rejects a side-effecting step waiting for approval (operators and above). Pass args_hash, the hash of the arguments you reviewed, so a changed step is refused.',
      inputSchema: {
        approval_id: z.uuid(),
        decision: z.enum(['approve', 'reject']),
        reason: z.string().min(1).max(2_000).optional(),
        args_hash: z
          .string()
          .regex(/^[0-9a-f]{64}$/)
          .optional(),
      },
    },
    ({ approval_id, decision, reason, args_hash }) =>
      asToolResult(async () => {
        const row =
          decision === 'approve'
            ? await deps.approvals.approve(actor, approval_id, args_hash)
            : await deps.approvals.reject(actor, approval_id, reason ?? 'rejected over MCP', args_hash);
        return {
          approval_id: row.id,
          status: row.status,
          task_id: row.taskId,
          step_id: row.stepId,
          decided_by: row.decidedBy,
          reason: row.reason,
        };
      }),
  );

  registerBerthResources(server, deps, actor);
  return server;
}
