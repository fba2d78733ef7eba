import { EventEmitter } from 'node:events';
import type { Notifier } from '../../platform/db/index.js';

export type TaskEvent =
  | { type: 'task.status'; task_id: string; status: string }
  | { type: 'step.started'; task_id: string; step_id: string; key: string; tool: string; attempt: number }
  | {
      type: 'step.completed';
      task_id: string;
      step_id: string;
      key: string;
      tool: string;
      duration_ms: number;
    }
  | {
      type: 'step.retrying';
      task_id: string;
      step_id: string;
      key: string;
      tool: string;
      error: { code: string; message: string };
      retry_at: string;
    }
  | {
      type: 'step.failed';
      task_id: string;
      step_id: string;
      key: string;
      tool: string;
      error: { code: string; message: string };
    }
  | { type: 'task.finished'; task_id: string; status: string; result: string | null; error: unknown };

/** Task progress for SSE clients. In-process now; the distributed mode carries it between processes. */
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
// NOTIFY payloads are limited to 8000 bytes; a long result is cut (the task itself has all of it).
const MAX_PAYLOAD = 7_000;

function encodeForNotify(event: TaskEvent): string {
  const json = JSON.stringify(event);
  if (Buffer.byteLength(json) <= MAX_PAYLOAD || event.type !== 'task.finished') return json;
  return JSON.stringify({ ...event, result: `${(event.result ?? '').slice(0, 1_000)}…`, error: null });
}

/**
 * Task events across processes (workers raise them, any api process streams them), over the
 * store's own LISTEN/NOTIFY: no extra dependency, and Postgres is there whenever processes are apart.
 */
export async function createNotifyTaskEvents(
  notifier: Notifier,
  onError: (error: unknown) => void,
): Promise<TaskEvents> {
  const local = createInProcessTaskEvents();
  await notifier.listen(CHANNEL, (payload) => {
    try {
      local.publish(JSON.parse(payload) as TaskEvent);
    } catch (error) {
      onError(error);
    }
  });
  return {
    publish: (event) => {
      notifier.notify(CHANNEL, encodeForNotify(event)).catch(onError);
    },
    subscribe: local.subscribe,
  };
}
