import { EventEmitter } from 'node:events';

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
