import type { StepRow, TaskRow } from './tasks.repository.js';

/** Outputs larger than this are previewed in task views; the whole is at output_url. */
export const OUTPUT_PREVIEW_CHARS = 2_000;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function preview(output: unknown): { output: unknown; truncated: boolean } {
  if (output === null || output === undefined) return { output: null, truncated: false };
  const json = JSON.stringify(output);
  if (json.length <= OUTPUT_PREVIEW_CHARS) return { output, truncated: false };
  // Long string fields are cut; the shape stays, so clients can still read titles and statuses.
  if (typeof output === 'object' && !Array.isArray(output)) {
    const cut = Object.fromEntries(
      Object.entries(output).map(([k, v]) => [
        k,
        typeof v === 'string' && v.length > 500 ? `${v.slice(0, 500)}…` : v,
      ]),
    );
    if (JSON.stringify(cut).length <= OUTPUT_PREVIEW_CHARS) return { output: cut, truncated: true };
  }
  return { output: `${json.slice(0, OUTPUT_PREVIEW_CHARS)}…`, truncated: true };
}

export function stepWire(step: StepRow) {
  const { output, truncated } = preview(step.output);
  return {
    step_id: step.id,
    key: step.key,
    tool: step.tool,
    // As planned: literals, and {$from, path} where a value comes from an earlier step's output.
    input: step.input,
    status: step.status,
    depends_on: step.dependsOn,
    attempts: step.attempts,
    output,
    output_truncated: truncated,
    output_url: truncated ? `/api/tasks/${step.taskId}/steps/${step.id}/output` : null,
    error: step.error ?? null,
    usage: { input_tokens: step.inputTokens, output_tokens: step.outputTokens, cost_usd: step.costUsd },
    started_at: iso(step.startedAt),
    finished_at: iso(step.finishedAt),
    duration_ms: step.durationMs,
  };
}

export function taskSummaryWire(task: TaskRow) {
  return {
    task_id: task.id,
    status: task.status,
    title: task.title,
    description: task.description,
    user_id: task.userId,
    agent: task.agent,
    agent_version: task.agentVersion,
    result: task.result,
    error: task.error ?? null,
    planner: task.planner,
    planner_note: task.plannerNote,
    created_at: task.createdAt.toISOString(),
    updated_at: task.updatedAt.toISOString(),
    finished_at: iso(task.finishedAt),
  };
}

// Rounded like each step's cost, so a sum of many does not print as 0.30000000000000004.
const roundUsd = (usd: number) => Math.round(usd * 1e9) / 1e9;

/** The steps' usage summed; the planner's call is counted in budgets and metrics, not here. */
const taskUsage = (steps: StepRow[]) => ({
  input_tokens: steps.reduce((sum, step) => sum + step.inputTokens, 0),
  output_tokens: steps.reduce((sum, step) => sum + step.outputTokens, 0),
  cost_usd: roundUsd(steps.reduce((sum, step) => sum + step.costUsd, 0)),
});

export const taskWire = (task: TaskRow, steps: StepRow[]) => ({
  ...taskSummaryWire(task),
  steps: steps.map(stepWire),
  usage: taskUsage(steps),
});
