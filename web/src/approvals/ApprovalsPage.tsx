import { useEffect, useState } from 'react';
import type { Me } from '../api/session';
import { ErrorNotice } from '../chat/ErrorNotice';
import { FilterChips } from '../components/FilterChips';
import { Link, useSearch } from '../router';
import { ApprovalCard } from './ApprovalCard';
import { type Refusal, RefusalNotice } from './RefusalNotice';
import { APPROVALS_CHANGED_EVENT, type ApprovalFilter, useApprovals } from './use-approvals';
import { mayDecide, useMe } from './use-me';

const FILTERS: Array<{ value: ApprovalFilter; label: string }> = [
  { value: 'pending', label: 'Pending' },
  { value: 'decided', label: 'Decided' },
  { value: 'all', label: 'All' },
];
const EMPTY: Record<ApprovalFilter, string> = {
  pending: 'Nothing waits for approval.',
  decided: 'No decided approvals yet.',
  all: 'No approvals yet.',
};

/** What a member or viewer sees: the API lets only operators and above list approvals. */
function OperatorsDecide({ me }: { me: Me }) {
  return (
    <div className="note operators-decide" role="note">
      <p>
        <strong>Operators decide approvals.</strong> Steps that send something (a webhook, a mail) wait here
        until an operator, admin or owner of tenant <span className="mono">{me.tenant_id}</span> approves
        their exact arguments. You are signed in as <span className="mono">{me.user_id}</span> with the role{' '}
        <strong>{me.role}</strong>, so you can follow your tasks on their pages but not see or decide
        approvals.
      </p>
    </div>
  );
}

export function ApprovalsPage() {
  const search = useSearch();
  const task = search.get('task') ?? undefined;
  const step = search.get('step') ?? undefined;
  // Opened from a task: its approvals whatever their state, since the one it links to may be decided.
  const [filter, setFilter] = useState<ApprovalFilter>(task ? 'all' : 'pending');
  useEffect(() => setFilter(task ? 'all' : 'pending'), [task]);
  const { me, error: meError } = useMe();
  const canDecide = mayDecide(me);
  const list = useApprovals({ filter, task, step }, canDecide);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const changed = () => {
    void list.reload();
    window.dispatchEvent(new Event(APPROVALS_CHANGED_EVENT));
  };
  const decided = () => {
    setRefusal(null);
    changed();
  };
  const refused = (approval: Refusal['approval'], error: Refusal['error']) => {
    setRefusal({ approval, error });
    // Decided or expired meanwhile: the list shows its new state.
    if (error.status === 409) changed();
  };

  return (
    <div className="page approvals-page">
      <section className="approvals" aria-labelledby="approvals-heading">
        <div className="section-head">
          <h1 id="approvals-heading">Approvals</h1>
          {canDecide && <FilterChips options={FILTERS} value={filter} onChange={setFilter} legend="Show" />}
        </div>
        {task && (
          <p className="muted small approvals-scope">
            {step ? 'One step' : 'Steps'} of task{' '}
            <Link href={`/tasks/${task}`} className="mono">
              {task.slice(0, 8)}
            </Link>{' '}
            · <Link href="/approvals">all approvals</Link>
          </p>
        )}
        <p className="muted small">
          A step that changes something outside Berth runs only once approved, with exactly the arguments
          shown; approving sends their hash, so arguments that changed in between are refused.
        </p>
        {meError && <ErrorNotice error={meError} />}
        {me && !canDecide && <OperatorsDecide me={me} />}
        {list.error && <ErrorNotice error={list.error} onRetry={() => void list.reload()} />}
        {refusal && <RefusalNotice refusal={refusal} onDismiss={() => setRefusal(null)} />}
        {canDecide && list.approvals?.length === 0 && <p className="muted empty-list">{EMPTY[filter]}</p>}
        <ul className="approval-list">
          {list.approvals?.map((approval) => (
            <ApprovalCard
              key={approval.approval_id}
              approval={approval}
              canDecide={canDecide}
              userId={me?.user_id}
              onDecided={decided}
              onRefused={refused}
            />
          ))}
        </ul>
        {list.nextCursor && (
          <button type="button" className="load-more" onClick={() => void list.more()}>
            Load more
          </button>
        )}
      </section>
    </div>
  );
}
