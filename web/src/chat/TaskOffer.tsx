import { useState } from 'react';
import { type ApiErrorInfo, networkError, postJson } from '../api/client';
import type { CreateTask, TaskAccepted } from '../api/types';
import { Link } from '../router';
import { rememberTaskOrigin } from '../tasks/task-origins';

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`)\]]+/gi;

/** The URLs an answer offers to summarise as a background task (the offline model says so), else none. */
export function offeredUrls(answer: string): string[] {
  if (!/background task/i.test(answer)) return [];
  const found = (answer.match(URL_PATTERN) ?? []).map((url) => url.replace(/[.,;:!?]+$/, ''));
  return [...new Set(found)];
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

const titleFor = (urls: string[]) => {
  const hosts = [...new Set(urls.map(hostOf))];
  return `Summarise ${hosts.slice(0, 2).join(', ')}${hosts.length > 2 ? ` and ${hosts.length - 2} more` : ''}`;
};

interface Props {
  urls: string[];
  conversationId: string | undefined;
  agent: string | undefined;
}

/** "Summarise as a task": starts the task the answer suggested and links to its page. */
export function TaskOffer({ urls, conversationId, agent }: Props) {
  const [taskId, setTaskId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErrorInfo | null>(null);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      const body: CreateTask = {
        title: titleFor(urls),
        description: `Summarise ${urls.join(' ')}`,
        ...(agent ? { agent } : {}),
      };
      const reply = await postJson<TaskAccepted>('/api/tasks', body);
      if (conversationId) rememberTaskOrigin(reply.task_id, conversationId);
      setTaskId(reply.task_id);
    } catch (e) {
      setError(networkError(e).info);
    } finally {
      setBusy(false);
    }
  }

  if (taskId) {
    return (
      <p className="task-offer">
        Task started. <Link href={`/tasks/${taskId}`}>Follow its progress →</Link>
      </p>
    );
  }
  return (
    <div className="task-offer">
      <button type="button" onClick={start} disabled={busy}>
        {busy
          ? 'Starting…'
          : urls.length === 1
            ? 'Summarise as a task'
            : `Summarise ${urls.length} pages as a task`}
      </button>
      {error && <span className="form-error small"> {error.message}</span>}
    </div>
  );
}
