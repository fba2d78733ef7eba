import type { ApiErrorInfo } from '../api/client';
import type { Approval } from '../api/types';
import { decisionAdvice } from './approval-errors';

export interface Refusal {
  approval: Approval;
  error: ApiErrorInfo;
}

/**
 * Why the last decision was refused, above the list: an approval decided or expired meanwhile leaves the
 * pending list on the reload that follows, and the words must not leave with it.
 */
export function RefusalNotice({ refusal, onDismiss }: { refusal: Refusal; onDismiss(): void }) {
  const { approval, error } = refusal;
  const advice = decisionAdvice(error);
  return (
    <div className="error-notice approval-error" role="alert">
      <p className="error-title">
        {advice.title} <span className="mono small">({error.code})</span>
      </p>
      <p className="error-hint">
        <span className="mono">{approval.tool}</span> of task{' '}
        <span className="mono">{approval.task_id.slice(0, 8)}</span>: {advice.hint}
      </p>
      <div className="error-actions">
        <button type="button" className="ghost small" onClick={onDismiss}>
          Dismiss
        </button>
        {error.requestId && <span className="muted small mono">request {error.requestId}</span>}
      </div>
    </div>
  );
}
