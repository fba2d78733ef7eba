import { type FormEvent, useState } from 'react';
import { type ApiErrorInfo, networkError, postJson } from '../api/client';
import type { Approval, ApproveBody, RejectBody } from '../api/types';
import { StatusBadge } from '../components/StatusBadge';
import { relativeTime } from '../format';
import { Link } from '../router';
import { prettyCanonical } from './pretty-json';
import { fullTime, untilTime } from './time';

interface Props {
  approval: Approval;
  /** The caller may decide (operator or above); otherwise the card is read-only. */
  canDecide: boolean;
  /** The caller's user id, to say when four eyes keeps them from approving their own request. */
  userId?: string;
  /** After a decision: the list reloads. */
  onDecided(): void;
  /** A refused decision, told above the list (the list reloads too when the approval changed meanwhile). */
  onRefused(approval: Approval, error: ApiErrorInfo): void;
}

function Facts({ approval }: { approval: Approval }) {
  const pending = approval.status === 'pending';
  return (
    <dl className="approval-facts">
      <dt>Task</dt>
      <dd>
        <Link href={`/tasks/${approval.task_id}`} className="mono">
          {approval.task_id.slice(0, 8)}
        </Link>{' '}
        <span className="muted">({approval.agent})</span>
      </dd>
      <dt>Requested by</dt>
      <dd>
        <span className="mono">{approval.requested_by}</span>{' '}
        <time dateTime={approval.created_at} title={fullTime(approval.created_at)}>
          {relativeTime(approval.created_at)}
        </time>
      </dd>
      <dt>{pending ? 'Expires' : 'Expiry'}</dt>
      <dd>
        <time dateTime={approval.expires_at} title={fullTime(approval.expires_at)}>
          {untilTime(approval.expires_at)}
        </time>
      </dd>
      {approval.decided_at && (
        <>
          <dt>Decided</dt>
          <dd>
            {approval.decided_by ? <span className="mono">{approval.decided_by}</span> : 'Berth'}{' '}
            <time dateTime={approval.decided_at} title={fullTime(approval.decided_at)}>
              {relativeTime(approval.decided_at)}
            </time>
          </dd>
        </>
      )}
      {approval.reason && (
        <>
          <dt>Reason</dt>
          <dd className="approval-reason">{approval.reason}</dd>
        </>
      )}
    </dl>
  );
}

/** One approval: the exact arguments it binds, its facts, and the decision for those who may make it. */
export function ApprovalCard({ approval, canDecide, userId, onDecided, onRefused }: Props) {
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const pending = approval.status === 'pending';
  const ownRequest = approval.four_eyes && approval.requested_by === userId;

  async function decide(action: 'approve' | 'reject', body: ApproveBody | RejectBody) {
    setBusy(true);
    try {
      await postJson<Approval>(`/api/approvals/${approval.approval_id}/${action}`, body);
      onDecided();
    } catch (e) {
      onRefused(approval, networkError(e).info);
    } finally {
      setBusy(false);
    }
  }
  const approve = () => decide('approve', { args_hash: approval.args_hash } satisfies ApproveBody);
  const reject = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim()) void decide('reject', { reason: reason.trim() } satisfies RejectBody);
  };

  return (
    <li className={`card approval approval-${approval.status}`} data-approval={approval.approval_id}>
      <div className="approval-head">
        <h3 className="mono">{approval.tool}</h3>
        <StatusBadge status={approval.status} />
        {approval.four_eyes && <span className="pill">Four eyes</span>}
      </div>
      <Facts approval={approval} />
      <section className="approval-arguments" aria-label="Arguments">
        <h4>{pending ? 'Arguments it will run with' : 'Arguments'}</h4>
        <pre className="approval-args">{prettyCanonical(approval.arguments)}</pre>
        <p className="muted small">
          SHA-256 of the arguments (RFC 8785): <code className="approval-hash">{approval.args_hash}</code>
        </p>
      </section>
      {pending && canDecide && ownRequest && (
        <p className="note small">
          Four-eyes approval is on and you requested this step: another operator has to approve it.
        </p>
      )}
      {pending && canDecide && !rejecting && (
        <div className="approval-actions">
          <button type="button" className="primary" onClick={() => void approve()} disabled={busy}>
            {busy ? 'Approving…' : 'Approve'}
          </button>
          <button type="button" className="danger" onClick={() => setRejecting(true)} disabled={busy}>
            Reject
          </button>
        </div>
      )}
      {pending && canDecide && rejecting && (
        <form className="approval-reject" onSubmit={reject}>
          <label htmlFor={`reason-${approval.approval_id}`}>Why is it rejected?</label>
          <textarea
            id={`reason-${approval.approval_id}`}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            maxLength={2000}
            required
            rows={2}
          />
          <div className="approval-actions">
            <button type="submit" className="danger" disabled={busy || !reason.trim()}>
              {busy ? 'Rejecting…' : 'Reject with this reason'}
            </button>
            <button type="button" className="ghost" onClick={() => setRejecting(false)} disabled={busy}>
              Back
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
