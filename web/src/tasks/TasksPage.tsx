import { useCallback, useEffect, useState } from 'react';
import { getJson, networkError } from '../api/client';
import type { TaskList, TaskStatus } from '../api/types';
import { FilterChips } from '../components/FilterChips';
import { StatusBadge } from '../components/StatusBadge';
import { relativeTime } from '../format';
import { Link } from '../router';
import { NewTaskForm } from './NewTaskForm';

// A label for every status the API declares: a new status is a type error here until it has one.
const STATUS_LABELS: Record<TaskStatus, string> = {
  running: 'Running',
  queued: 'Queued',
  awaiting_approval: 'Awaiting approval',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
const FILTERS: Array<{ value: TaskStatus | ''; label: string }> = [
  { value: '', label: 'All' },
  ...(Object.keys(STATUS_LABELS) as TaskStatus[]).map((value) => ({ value, label: STATUS_LABELS[value] })),
];
const REFRESH_MS = 3_000;

function useTaskList(filter: string) {
  const [page, setPage] = useState<TaskList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    async (cursor?: string) => {
      const query = new URLSearchParams({ limit: '30', ...(filter ? { status: filter } : {}) });
      if (cursor) query.set('cursor', cursor);
      try {
        const next = await getJson<TaskList>(`/api/tasks?${query}`);
        setError(null);
        setPage((prev) =>
          cursor && prev ? { tasks: [...prev.tasks, ...next.tasks], next_cursor: next.next_cursor } : next,
        );
      } catch (e) {
        setError(networkError(e).message);
      }
    },
    [filter],
  );
  useEffect(() => {
    setPage(null);
    void load();
    // Tasks move on their own; the first page follows them.
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);
  return { page, error, more: () => page?.next_cursor && load(page.next_cursor) };
}

export function TasksPage() {
  const [filter, setFilter] = useState<TaskStatus | ''>('');
  const { page, error, more } = useTaskList(filter);
  return (
    <div className="page tasks-page">
      <NewTaskForm />
      <section className="card task-list" aria-labelledby="tasks-heading">
        <div className="section-head">
          <h2 id="tasks-heading">Tasks</h2>
          <FilterChips options={FILTERS} value={filter} onChange={setFilter} legend="Filter by status" />
        </div>
        {error && <p className="form-error">{error}</p>}
        {page?.tasks.length === 0 && (
          <p className="muted empty-list">
            {filter ? `No ${STATUS_LABELS[filter].toLowerCase()} tasks.` : 'No tasks yet. Start one above.'}
          </p>
        )}
        <ul className="rows">
          {page?.tasks.map((t) => (
            <li key={t.task_id}>
              <Link href={`/tasks/${t.task_id}`} className="row-link">
                <StatusBadge status={t.status} />
                <span className="row-title">{t.title}</span>
                <span className="row-meta muted small">
                  {t.agent} · {relativeTime(t.created_at)}
                </span>
              </Link>
            </li>
          ))}
        </ul>
        {page?.next_cursor && (
          <button type="button" className="load-more" onClick={() => void more()}>
            Load more
          </button>
        )}
      </section>
    </div>
  );
}
