import { getJson } from '../support/http.js';
import { createTask } from '../support/tasks.js';

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

/** A task with one explicit http_post step, created through POST /api/tasks by the caller `headers` name. */
export async function createPostTask(
  baseUrl: string,
  headers: Record<string, string>,
  options: { url: string; body: Record<string, unknown> },
): Promise<string> {
  const created = await createTask(
    baseUrl,
    {
      description: `post it to ${options.url}`,
      steps: [{ key: 'post', tool: 'http_post', input: { url: options.url, body: options.body } }],
    },
    headers,
  );
  if (created.status !== 202)
    throw new Error(`POST /api/tasks answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body.task_id;
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
