import { type FormEvent, useState } from 'react';
import { type ApiErrorInfo, networkError, postJson } from '../api/client';
import type { CreateTask, TaskAccepted } from '../api/types';
import { navigate } from '../router';
import { useService } from '../service-context';

export function NewTaskForm() {
  const { status } = useService();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [agent, setAgent] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErrorInfo | null>(null);
  const agents = status?.agents ?? [];

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!description.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const body: CreateTask = {
        description: description.trim(),
        ...(title.trim() ? { title: title.trim() } : {}),
        ...(agent ? { agent } : {}),
      };
      const reply = await postJson<TaskAccepted>('/api/tasks', body);
      navigate(`/tasks/${reply.task_id}`);
    } catch (e) {
      setError(networkError(e).info);
      setBusy(false);
    }
  }

  return (
    <form className="card new-task" onSubmit={submit} aria-labelledby="new-task-title">
      <h2 id="new-task-title">New task</h2>
      <label htmlFor="task-title">
        Title <span className="muted">(optional)</span>
      </label>
      <input id="task-title" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
      <label htmlFor="task-description">What should be done?</label>
      <textarea
        id="task-description"
        rows={4}
        value={description}
        required
        placeholder="Summarise https://example.com/a and https://example.com/b"
        onChange={(e) => setDescription(e.target.value)}
      />
      <p className="muted small">
        Links are fetched, their text extracted and summarised, each as a step you can follow.
      </p>
      <div className="form-row">
        {agents.length > 1 && (
          <>
            <label htmlFor="task-agent" className="muted small">
              Agent
            </label>
            <select id="task-agent" value={agent} onChange={(e) => setAgent(e.target.value)}>
              <option value="">default</option>
              {agents.map((a) => (
                <option key={a.name} value={a.name}>
                  {a.name}
                </option>
              ))}
            </select>
          </>
        )}
        <button type="submit" className="primary" disabled={busy || !description.trim()}>
          {busy ? 'Starting…' : 'Start task'}
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
    </form>
  );
}
