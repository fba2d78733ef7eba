import { useCallback, useEffect, useState } from 'react';
import { type ApiErrorInfo, getJson, networkError } from '../api/client';
import type { Approval, ApprovalList } from '../api/types';

export type ApprovalFilter = 'pending' | 'decided' | 'all';

/** Fired after this page decided an approval, so the nav's pending count follows at once. */
export const APPROVALS_CHANGED_EVENT = 'berth:approvals-changed';

const REFRESH_MS = 5_000;
const PAGE_SIZE = '50';

export interface ApprovalScope {
  filter: ApprovalFilter;
  /** Only this task's approvals (opened from a task page). */
  task?: string;
  /** Only this step's, among the task's. */
  step?: string;
}

// The API filters by one status; "decided" is every status but pending, so those rows are dropped here.
const shown = (scope: ApprovalScope) => (approval: Approval) =>
  (scope.filter !== 'decided' || approval.status !== 'pending') &&
  (!scope.step || approval.step_id === scope.step);

/** The tenant's approvals for a scope, refreshed while the page is open; `enabled` false asks nothing. */
export function useApprovals(scope: ApprovalScope, enabled: boolean) {
  const [page, setPage] = useState<ApprovalList | null>(null);
  const [error, setError] = useState<ApiErrorInfo | null>(null);
  const { filter, task } = scope;
  const load = useCallback(
    async (cursor?: string) => {
      const query = new URLSearchParams({ limit: PAGE_SIZE });
      if (filter === 'pending') query.set('status', 'pending');
      if (task) query.set('task', task);
      if (cursor) query.set('cursor', cursor);
      try {
        const next = await getJson<ApprovalList>(`/api/approvals?${query}`);
        setError(null);
        setPage((prev) =>
          cursor && prev
            ? { approvals: [...prev.approvals, ...next.approvals], next_cursor: next.next_cursor }
            : next,
        );
      } catch (e) {
        setError(networkError(e).info);
      }
    },
    [filter, task],
  );
  useEffect(() => {
    setPage(null);
    if (!enabled) return;
    void load();
    // New steps pause and others expire while the page is open; the first page follows them.
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load, enabled]);
  const approvals = page?.approvals.filter(shown(scope)) ?? null;
  return {
    approvals,
    error,
    nextCursor: page?.next_cursor ?? null,
    more: () => page?.next_cursor && load(page.next_cursor),
    reload: () => load(),
  };
}
