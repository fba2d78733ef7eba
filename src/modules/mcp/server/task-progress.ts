import type { Actor } from '../../../platform/http/index.js';
import { isFinal, type TaskEvent } from '../../tasks/index.js';
import type { McpServerDeps } from './server-deps.js';

export interface Progress {
  progress: number;
  total: number;
  message: string;
}

function describeEvent(event: TaskEvent): string | undefined {
  switch (event.type) {
    case 'step.started':
      return `step ${event.key} (${event.tool}) started, attempt ${event.attempt}`;
    case 'step.completed':
      return `step ${event.key} (${event.tool}) completed`;
    case 'step.retrying':
      return `step ${event.key} (${event.tool}) failed (${event.error.code}), retrying`;
    case 'step.failed':
      return `step ${event.key} (${event.tool}) failed: ${event.error.code}`;
    case 'step.awaiting_approval':
      return `step ${event.key} (${event.tool}) waits for approval ${event.approval_id}`;
    default:
      return undefined;
  }
}

/** Ends a wait: the task is over, or it cannot go on until someone approves a step. */
const endsWait = (event: TaskEvent) =>
  event.type === 'task.finished' || event.type === 'step.awaiting_approval';

/**
 * Waits until the task finishes, pauses for an approval, the wait runs out or the caller goes away,
 * reporting each step as it goes; then reads the task again (the events are hints, the store is the
 * truth). Subscribes before the first read, so a task that finishes in between is not missed.
 */
export async function awaitTask(
  deps: McpServerDeps,
  actor: Actor,
  taskId: string,
  options: { waitMs: number; signal: AbortSignal; onProgress(progress: Progress): void },
) {
  let done = 0;
  let total = 0;
  let wake = () => {};
  const woken = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const unsubscribe = deps.taskEvents.subscribe(taskId, (event) => {
    if (event.type === 'step.completed') done++;
    const message = describeEvent(event);
    if (message) options.onProgress({ progress: done, total, message });
    if (endsWait(event)) wake();
  });
  const timer = setTimeout(wake, options.waitMs);
  options.signal.addEventListener('abort', wake, { once: true });
  try {
    const first = await deps.tasks.get(actor, taskId);
    total = first.steps.length;
    done = first.steps.filter((step) => step.status === 'completed').length;
    const paused = first.steps.some((step) => step.status === 'awaiting_approval');
    if (!isFinal(first.task.status) && !paused) await woken;
    return await deps.tasks.get(actor, taskId);
  } finally {
    unsubscribe();
    clearTimeout(timer);
    options.signal.removeEventListener('abort', wake);
  }
}
