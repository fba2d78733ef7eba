import { useEffect, useState } from 'react';
import { getJson } from '../api/client';
import type { ApprovalList } from '../api/types';
import { APPROVALS_CHANGED_EVENT } from './use-approvals';
import { mayDecide, useMe } from './use-me';

const REFRESH_MS = 15_000;
// One request counts them: a page this size, "200+" when there are more.
const COUNT_LIMIT = 200;

/** The number of pending approvals beside the nav entry, for those who may decide them; nothing otherwise. */
export function PendingCount() {
  const { me } = useMe();
  const enabled = mayDecide(me);
  const [count, setCount] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const load = () =>
      getJson<ApprovalList>(`/api/approvals?status=pending&limit=${COUNT_LIMIT}`)
        .then((page) => {
          if (live) setCount(`${page.approvals.length}${page.next_cursor ? '+' : ''}`);
        })
        .catch(() => {
          // The Approvals page shows why; the nav just goes without a count.
        });
    void load();
    const timer = setInterval(load, REFRESH_MS);
    window.addEventListener(APPROVALS_CHANGED_EVENT, load);
    return () => {
      live = false;
      clearInterval(timer);
      window.removeEventListener(APPROVALS_CHANGED_EVENT, load);
    };
  }, [enabled]);
  if (!enabled || count === null || count === '0') return null;
  return (
    <span className="nav-count" title={`${count} pending approvals`} data-count={count}>
      {count}
      <span className="visually-hidden"> pending</span>
    </span>
  );
}
