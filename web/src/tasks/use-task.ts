import { useEffect, useRef, useState } from 'react';
import { type ApiErrorInfo, authHeaders, errorFrom, getJson, networkError } from '../api/client';
import { readSse } from '../api/sse';
import type { Step, StepStatus, Task, TaskEvents } from '../api/types';

const FINAL = new Set(['completed', 'failed', 'cancelled']);
const RECONNECT_MS = 2_000;

type StepEventName =
  | 'step.started'
  | 'step.completed'
  | 'step.retrying'
  | 'step.failed'
  | 'step.awaiting_approval';
const eventStatus: Record<StepEventName, StepStatus> = {
  'step.started': 'running',
  'step.completed': 'completed',
  'step.retrying': 'ready',
  'step.failed': 'failed',
  // The refetch behind it brings the task's own awaiting_approval.
  'step.awaiting_approval': 'awaiting_approval',
};
const isStepEvent = (event: string): event is StepEventName => event in eventStatus;

/** A task, kept live over its SSE stream; events are applied at once and the full view refetched behind them. */
export function useTask(id: string) {
  const [task, setTask] = useState<Task | null>(null);
  const [error, setError] = useState<ApiErrorInfo | null>(null);
  const [live, setLive] = useState(false);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new generation reconnects on purpose.
  useEffect(() => {
    const abort = new AbortController();
    let finished = false;
    const refetch = () => {
      clearTimeout(refetchTimer.current);
      refetchTimer.current = setTimeout(() => {
        getJson<Task>(`/api/tasks/${id}`, abort.signal)
          .then(setTask)
          .catch(() => {});
      }, 100);
    };
    const patchStep = (stepId: string, change: Partial<Step>) =>
      setTask(
        (t) => t && { ...t, steps: t.steps.map((s) => (s.step_id === stepId ? { ...s, ...change } : s)) },
      );

    async function follow() {
      const response = await fetch(`/api/tasks/${id}/events`, {
        headers: authHeaders(),
        signal: abort.signal,
      });
      if (!response.ok) {
        finished = true;
        setError((await errorFrom(response)).info);
        return;
      }
      setLive(true);
      for await (const { event, data } of readSse(response)) {
        if (event === 'snapshot') {
          setTask(data as TaskEvents['snapshot']);
          setError(null);
        } else if (isStepEvent(event)) {
          const payload = data as TaskEvents[StepEventName];
          const now = new Date().toISOString();
          patchStep(payload.step_id, {
            status: eventStatus[event],
            ...(payload.type === 'step.started'
              ? { attempts: payload.attempt, started_at: now, finished_at: null }
              : {}),
            ...(payload.type === 'step.completed'
              ? { duration_ms: payload.duration_ms, finished_at: now }
              : {}),
          });
          refetch();
        } else if (event === 'task.finished') {
          finished = true;
          const payload = data as TaskEvents['task.finished'];
          setTask((t) => t && { ...t, status: payload.status });
          refetch();
        }
      }
    }

    async function run() {
      while (!abort.signal.aborted && !finished) {
        try {
          await follow();
        } catch (e) {
          if (abort.signal.aborted) return;
          setError(networkError(e).info);
        }
        setLive(false);
        // A stream that ended without task.finished was cut (restart, proxy): pick it up again.
        if (!finished) await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
      }
    }
    void run();
    return () => {
      abort.abort();
      clearTimeout(refetchTimer.current);
    };
  }, [id, generation]);

  const isFinal = task ? FINAL.has(task.status) : false;
  return { task, error, live: live && !isFinal, isFinal, reload: () => setGeneration((n) => n + 1) };
}
