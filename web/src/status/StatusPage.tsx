import { useEffect } from 'react';
import { StatusBadge } from '../components/StatusBadge';
import { duration } from '../format';
import { useService } from '../service-context';
import { McpPanel } from './McpPanel';

const REFRESH_MS = 5_000;

function OfflineBanner() {
  return (
    <div className="banner banner-warn" role="status">
      <strong>Answers come from the built-in offline model.</strong> It needs no network and makes extractive
      summaries, but it is not an LLM. To connect a real one, start Berth with for example{' '}
      <code>BERTH_LLM_PROVIDER=openai BERTH_LLM_MODEL=gpt-4.1-mini OPENAI_API_KEY=…</code> or{' '}
      <code>BERTH_LLM_PROVIDER=ollama BERTH_LLM_MODEL=llama3.2</code> (see docs/llm.md).
    </div>
  );
}

type Check = { ok: boolean; degraded?: boolean };
// Degraded: the check passes (the service is ready) but something it watches is down, e.g. an open circuit.
const checkDot = (check: Check) => (!check.ok ? 'dot-bad' : check.degraded ? 'dot-warn' : 'dot-ok');

const Stat = ({ label, value }: { label: string; value: string | number }) => (
  <div className="stat">
    <span className="stat-value">{value}</span>
    <span className="stat-label">{label}</span>
  </div>
);

export function StatusPage() {
  const { status, refresh } = useService();
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  if (!status) return <div className="page muted">Loading status…</div>;
  const { ready, queue, llm } = status;
  return (
    <div className="page status-page">
      <header className="status-head">
        <h1>Service status</h1>
        <span className={`badge badge-${ready.status === 'ready' ? 'completed' : 'failed'}`}>
          {ready.status === 'ready' ? 'Ready' : 'Not ready'}
        </span>
        <span className="muted small">
          Berth {status.version} · {status.store.kind === 'pglite' ? 'embedded store (PGlite)' : 'Postgres'}
        </span>
      </header>
      {status.offline_model && <OfflineBanner />}
      <div className="status-grid">
        <section className="card" aria-labelledby="deps-heading">
          <h2 id="deps-heading">Dependencies</h2>
          <ul className="checks">
            {ready.checks.map((check) => (
              <li key={check.name}>
                <span className={`dot ${checkDot(check)}`} aria-hidden="true" />
                <span className="check-name">{check.name}</span>
                <span className={check.ok ? (check.degraded ? 'warn-text' : 'muted') : 'form-error'}>
                  {check.ok ? (check.detail ?? 'ok') : check.error}
                </span>
              </li>
            ))}
          </ul>
        </section>
        <section className="card" aria-labelledby="queue-heading">
          <h2 id="queue-heading">Step queue</h2>
          {queue === null ? (
            <p className="form-error">Unavailable: {status.queue_error ?? 'the queue could not be read'}</p>
          ) : (
            <>
              <div className="stats">
                <Stat label="waiting" value={queue.waiting} />
                <Stat label="running" value={queue.active} />
                <Stat label="delayed" value={queue.delayed} />
                <Stat label="failed" value={queue.failed} />
              </div>
              <p className="muted small">
                Oldest waiting: {queue.oldest_wait_ms === null ? 'none' : duration(queue.oldest_wait_ms)}
              </p>
            </>
          )}
        </section>
        <section className="card" aria-labelledby="model-heading">
          <h2 id="model-heading">Model</h2>
          <p className="model-line">
            <span className="mono">{llm.provider}</span>
            <span className="mono"> · {llm.model ?? status.agents[0]?.model}</span>
          </p>
          {llm.breakers.length === 0 ? (
            <p className="muted small">No provider called yet.</p>
          ) : (
            <ul className="checks">
              {llm.breakers.map((b) => (
                <li key={b.provider}>
                  <span className={`dot ${b.state === 'closed' ? 'dot-ok' : 'dot-bad'}`} aria-hidden="true" />
                  <span className="check-name">{b.provider}</span>
                  <span className="muted">circuit {b.state}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <McpPanel servers={status.mcp} />
      <section className="card" aria-labelledby="agents-heading">
        <h2 id="agents-heading">Agents</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Provider</th>
                <th scope="col">Model</th>
                <th scope="col">Version</th>
              </tr>
            </thead>
            <tbody>
              {status.agents.map((a) => (
                <tr key={a.name}>
                  <td>
                    <strong>{a.name}</strong>
                    {a.description && <div className="muted small">{a.description}</div>}
                  </td>
                  <td>{a.provider === 'offline' ? <StatusBadge status="offline" /> : a.provider}</td>
                  <td className="mono">{a.model}</td>
                  <td className="mono">{a.version}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
