import { EventEmitter } from 'node:events';
import type { Notifier } from '../../platform/db/index.js';

/** Fields every task event carries: whose task it is, so audit and metrics need no lookup. */
interface TaskFact {
  task_id: string;
  tenant_id: string;
}
interface StepFact extends TaskFact {
  step_id: string;
  key: string;
  tool: string;
}

/** The tasks module's facts on the lifecycle bus; the same objects stream to SSE clients. */
export type TaskEvent =
  | (TaskFact & {
      type: 'task.created';
      user_id: string;
      request_id: string;
      agent: string;
      agent_version: string;
      planner: 'model' | 'rule' | 'explicit';
      steps: number;
    })
  | (StepFact & { type: 'step.started'; attempt: number })
  | (StepFact & { type: 'step.completed'; duration_ms: number })
  | (StepFact & { type: 'step.retrying'; error: { code: string; message: string }; retry_at: string })
  | (StepFact & { type: 'step.failed'; error: { code: string; message: string } })
  /** A side-effecting step paused until approval `approval_id` is decided. */
  | (StepFact & { type: 'step.awaiting_approval'; approval_id: string; args_hash: string })
  // No result: it is the user's data (a summary, who a mail went to); SSE clients get it read from the task.
  | (TaskFact & { type: 'task.finished'; status: string; error: unknown });

const taskEventTypes = new Set<string>([
  'task.created',
  'step.started',
  'step.completed',
  'step.retrying',
  'step.failed',
  'step.awaiting_approval',
  'task.finished',
] satisfies TaskEvent['type'][]);

/** Whether a lifecycle event is one of the tasks module's (those stream to a task's SSE clients). */
export const isTaskEvent = (event: { type: string }): event is TaskEvent => taskEventTypes.has(event.type);

/** The one place `task.finished` is built, whoever finished the task (the last step, a failure, a cancel). */
export const taskFinished = (task: {
  id: string;
  tenantId: string;
  status: string;
  error: unknown;
}): Extract<TaskEvent, { type: 'task.finished' }> => ({
  type: 'task.finished',
  task_id: task.id,
  tenant_id: task.tenantId,
  status: task.status,
  error: task.error ?? null,
});

/** Task progress for SSE clients, from every process: in-process when embedded, over LISTEN/NOTIFY when apart. */
export interface TaskEvents {
  publish(event: TaskEvent): void;
  /** Returns the function that unsubscribes. */
  subscribe(taskId: string, listener: (event: TaskEvent) => void): () => void;
}

export function createInProcessTaskEvents(): TaskEvents {
  const emitter = new EventEmitter();
  // Many SSE clients may watch one task; a listener cap would only warn, never protect.
  emitter.setMaxListeners(0);
  return {
    publish: (event) => emitter.emit(event.task_id, event),
    subscribe(taskId, listener) {
      emitter.on(taskId, listener);
      return () => emitter.off(taskId, listener);
    },
  };
}

const CHANNEL = 'berth_task_events';
// NOTIFY payloads are limited to 8000 bytes.
const MAX_PAYLOAD = 7_000;

/** Packs encoded events into JSON-array payloads under the NOTIFY limit, in order. */
function payloads(events: string[]): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  let size = 2;
  for (const event of events) {
    if (batch.length > 0 && size + event.length + 1 > MAX_PAYLOAD) {
      out.push(`[${batch.join(',')}]`);
      batch = [];
      size = 2;
    }
    batch.push(event);
    size += event.length + 1;
  }
  if (batch.length > 0) out.push(`[${batch.join(',')}]`);
  return out;
}

export interface NotifyTaskEventsOptions {
  /**
   * Whether this process streams events raised by others (LISTEN). A worker serves no SSE, so it
   * only publishes: it would otherwise parse every event of every process. Default true.
   */
  listen?: boolean;
  /** How long events wait to share one NOTIFY. Default 0: those raised in the same turn of the event loop. */
  groupMs?: number;
}

/**
 * Task events across processes (workers raise them, any api process streams them), over the
 * store's own LISTEN/NOTIFY: no extra dependency, and Postgres is there whenever processes are apart.
 * Events are sent one batch at a time, so they arrive in the order they were raised (a task's
 * `task.finished` never overtakes its last `step.completed`), and a burst costs one NOTIFY.
 * A publish-only process hands its own events to its own subscribers directly.
 */
export async function createNotifyTaskEvents(
  notifier: Notifier,
  onError: (error: unknown) => void,
  options: NotifyTaskEventsOptions = {},
): Promise<TaskEvents> {
  const local = createInProcessTaskEvents();
  const listen = options.listen ?? true;
  if (listen)
    await notifier.listen(CHANNEL, (payload) => {
      try {
        for (const event of JSON.parse(payload) as TaskEvent[]) local.publish(event);
      } catch (error) {
        onError(error);
      }
    });
  let pending: string[] = [];
  let flushing = false;
  const flush = async () => {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      for (const payload of payloads(batch)) await notifier.notify(CHANNEL, payload).catch(onError);
    }
    flushing = false;
  };
  const groupMs = options.groupMs ?? 0;
  return {
    publish: (event) => {
      if (!listen) local.publish(event);
      pending.push(JSON.stringify(event));
      if (flushing) return;
      flushing = true;
      if (groupMs > 0) setTimeout(() => void flush(), groupMs);
      // Wait a tick so events raised together share one NOTIFY.
      else setImmediate(() => void flush());
    },
    subscribe: local.subscribe,
  };
}
