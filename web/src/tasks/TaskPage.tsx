import { useState } from 'react';
import { networkError, postJson } from '../api/client';
import { ErrorNotice } from '../chat/ErrorNotice';
import { Markdown } from '../components/Markdown';
import { StatusBadge } from '../components/StatusBadge';
import { duration, plural, relativeTime, usd } from '../format';
import { Link } from '../router';
import { StepGraph } from './StepGraph';
import { errorSummary } from './task-error';
import { taskOrigin } from './task-origins';
import { useTask } from './use-task';

export function TaskPage({ id }: { id: string }) {
  const { task, error, live, isFinal } = useTask(id);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const origin = taskOrigin(id);

  async function cancel() {
    setCancelling(true);
    setCancelError(null);
    try {
      await postJson(`/api/tasks/${id}/cancel`, {});
    } catch (e) {
      setCancelError(networkError(e).message);
    } finally {
      setCancelling(false);
    }
  }

  if (!task) {
    return (
      <div className="page">
        <Link href="/tasks" className="back-link">
          ← Tasks
        </Link>
        {error ? <ErrorNotice error={error} /> : <p className="muted">Loading task…</p>}
      </div>
    );
  }
  const took = task.finished_at && duration(Date.parse(task.finished_at) - Date.parse(task.created_at));
  const tokens = task.usage.input_tokens + task.usage.output_tokens;
  const failure = errorSummary(task.error);
  return (
    <div className="page task-page">
      <Link href="/tasks" className="back-link">
        ← Tasks
      </Link>
      <header className="task-head">
        <div>
          <h1>{task.title}</h1>
          <p className="muted small">
            {task.agent} · created {relativeTime(task.created_at)}
            {took && ` · took ${took}`}
            {tokens > 0 && (
              <span className="task-cost" title="what the task's model steps spent, from the price table">
                {` · ${plural(tokens, 'token')} · ${usd(task.usage.cost_usd)}`}
              </span>
            )}{' '}
            · planned by{' '}
            {task.planner === 'rule'
              ? "Berth's built-in rules"
              : task.planner === 'model'
                ? 'the model'
                : task.planner === 'explicit'
                  ? 'the request (explicit steps)'
                  : task.planner}
            {origin && (
              <>
                {' · '}
                <Link href={`/chat/${origin}`}>started from a chat</Link>
              </>
            )}
          </p>
        </div>
        <div className="task-actions">
          {live && (
            <span className="live" title="Updates arrive as they happen">
              Live
            </span>
          )}
          <StatusBadge status={task.status} />
          {!isFinal && (
            <button type="button" className="danger" onClick={() => void cancel()} disabled={cancelling}>
              {cancelling ? 'Cancelling…' : 'Cancel task'}
            </button>
          )}
        </div>
      </header>
      {cancelError && <p className="form-error">{cancelError}</p>}
      {task.title && task.title !== task.description && (
        <p className="task-description">{task.description}</p>
      )}
      {task.planner_note && <p className="note">{task.planner_note}</p>}
      <section aria-labelledby="steps-heading">
        <h2 id="steps-heading">Steps</h2>
        <StepGraph steps={task.steps} taskId={task.task_id} />
      </section>
      {task.status === 'failed' && failure && (
        <section className="card result result-failed" aria-label="Error">
          <h2>Failed</h2>
          <p>
            {failure.step && <span className="mono">{failure.step}: </span>}
            {failure.message ?? JSON.stringify(task.error)}
          </p>
        </section>
      )}
      {task.result && (
        <section className="card result" aria-labelledby="result-heading">
          <h2 id="result-heading">Result</h2>
          <Markdown text={task.result} />
        </section>
      )}
    </div>
  );
}
