import { createTasksRepository } from '../../src/modules/tasks/tasks.repository.js';
import type { BerthInstance } from '../support/berth-instance.js';
import { getJson } from '../support/http.js';

export interface ApprovalView {
  approval_id: string;
  status: string;
  task_id: string;
  step_id: string;
  tool: string;
  arguments: Record<string, unknown>;
  args_hash: string;
  requested_by: string;
  four_eyes: boolean;
  expires_at: string;
  decided_by: string | null;
  reason: string | null;
}

/**
 * A task with one http_post step, written as POST /api/tasks writes one (task, step, outbox row in
 * one transaction), for the user it names. Explicit plans in POST /api/tasks are another change;
 * until then the fixture writes the plan the planner would.
 */
export async function insertPostTask(
  berth: BerthInstance,
  options: { tenantId: string; userId: string; url: string; body: Record<string, unknown> },
): Promise<string> {
  const repo = createTasksRepository(berth.app.store.db);
  const task = await repo.insertTask({
    tenantId: options.tenantId,
    userId: options.userId,
    agent: 'default',
    agentVersion: 'test',
    title: 'post it',
    description: `post it to ${options.url}`,
    planner: 'rule',
    requestId: `req-${Math.random().toString(36).slice(2)}`,
    steps: [
      { key: 'post', tool: 'http_post', input: { url: options.url, body: options.body }, dependsOn: [] },
    ],
    maxAttempts: 3,
  });
  if (!task) throw new Error('task not inserted');
  return task.id;
}

/** Polls the approvals API until the task's approval appears. */
export async function waitForApproval(
  baseUrl: string,
  taskId: string,
  headers: Record<string, string>,
  timeoutMs = 15_000,
): Promise<ApprovalView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await getJson<{ approvals: ApprovalView[] }>(
      `${baseUrl}/api/approvals?task=${taskId}`,
      headers,
    );
    if (status !== 200) throw new Error(`GET /api/approvals answered ${status}`);
    const [approval] = body.approvals;
    if (approval) return approval;
    if (Date.now() > deadline) throw new Error(`no approval for task ${taskId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
