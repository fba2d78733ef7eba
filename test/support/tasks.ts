import { getJson, postJson } from './http.js';

export interface TaskView {
  task_id: string;
  status: string;
  title: string;
  result: string | null;
  error: { code: string; message: string; step?: string } | null;
  planner: string;
  planner_note: string | null;
  steps: Array<{
    step_id: string;
    key: string;
    tool: string;
    status: string;
    depends_on: string[];
    attempts: number;
    output: unknown;
    error: { code: string; message: string } | null;
  }>;
}

export async function createTask(baseUrl: string, body: unknown, headers: Record<string, string> = {}) {
  return postJson<{ task_id: string; status: string; error?: { code: string } }>(
    `${baseUrl}/api/tasks`,
    body,
    headers,
  );
}

const FINAL = new Set(['completed', 'failed', 'cancelled']);

/** Polls a task until it reaches a final status (or `until` says stop). */
export async function waitForTask(
  baseUrl: string,
  taskId: string,
  options: { timeoutMs?: number; until?: (task: TaskView) => boolean; headers?: Record<string, string> } = {},
): Promise<TaskView> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  const until = options.until ?? ((task: TaskView) => FINAL.has(task.status));
  for (;;) {
    const { body } = await getJson<TaskView>(`${baseUrl}/api/tasks/${taskId}`, options.headers);
    if (until(body)) return body;
    if (Date.now() > deadline)
      throw new Error(
        `task ${taskId} still ${body.status}: ${JSON.stringify(body.steps.map((s) => [s.key, s.status]))}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
