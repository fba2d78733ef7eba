import { useEffect, useState } from 'react';
import { getJson, networkError } from '../api/client';
import type { Step, StepOutput } from '../api/types';
import { StatusBadge } from '../components/StatusBadge';
import { clock, duration } from '../format';
import { Link } from '../router';
import { errorSummary } from './task-error';

const preview = (output: unknown): string =>
  typeof output === 'string' ? output : JSON.stringify(output, null, 2);

/** Ticks while the step runs, so its elapsed time counts up. */
function useElapsed(step: Step): number | null {
  const [now, setNow] = useState(Date.now());
  const running = step.status === 'running' && step.started_at;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [running]);
  if (step.duration_ms !== null) return step.duration_ms;
  return running && step.started_at ? Math.max(0, now - Date.parse(step.started_at)) : null;
}

export function StepCard({ step, taskId }: { step: Step; taskId: string }) {
  const elapsed = useElapsed(step);
  const error = errorSummary(step.error);
  const [full, setFull] = useState<string | null>(null);
  const [fullError, setFullError] = useState<string | null>(null);
  const loadFull = () =>
    getJson<StepOutput>(`/api/tasks/${taskId}/steps/${step.step_id}/output`)
      .then((body) => setFull(preview(body.output)))
      .catch((e) => setFullError(networkError(e).message));

  return (
    <li className={`step step-${step.status}`} data-step={step.key} aria-label={`Step ${step.key}`}>
      <div className="step-head">
        <span className="step-key mono">{step.key}</span>
        <StatusBadge status={step.status} />
      </div>
      <dl className="step-facts">
        <dt>Tool</dt>
        <dd className="mono">{step.tool}</dd>
        <dt>Time</dt>
        <dd>
          {step.started_at ? clock(step.started_at) : '—'}
          {elapsed !== null && <span className="muted"> · {duration(elapsed)}</span>}
        </dd>
        <dt>Attempts</dt>
        <dd>{step.attempts}</dd>
        {step.depends_on.length > 0 && (
          <>
            <dt>After</dt>
            <dd className="mono">{step.depends_on.join(', ')}</dd>
          </>
        )}
      </dl>
      {step.status === 'awaiting_approval' && (
        <p className="step-approval" role="status">
          Waiting for an operator to approve its exact arguments; nothing is sent before.{' '}
          <Link href={`/approvals?task=${taskId}&step=${step.step_id}`}>Open its approval</Link>
        </p>
      )}
      {error && (
        <p className="step-error" role="status">
          {error.code && <span className="mono">{error.code}: </span>}
          {error.message}
        </p>
      )}
      {step.output !== null && step.output !== undefined && (
        <details className="step-output">
          <summary>Output{step.output_truncated ? ' (preview)' : ''}</summary>
          <pre>{full ?? preview(step.output)}</pre>
          {step.output_truncated && full === null && (
            <button type="button" className="small" onClick={() => void loadFull()}>
              Load the whole output
            </button>
          )}
          {fullError && <p className="form-error small">{fullError}</p>}
        </details>
      )}
    </li>
  );
}
