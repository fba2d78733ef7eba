import type { ServiceStatus } from '../api/types';

type McpServer = ServiceStatus['mcp'][number];

// Failed: several attempts in a row could not reach it (still retried); connecting/restarting: on the way.
const stateDot = (server: McpServer) =>
  server.state === 'ready' ? 'dot-ok' : server.state === 'failed' ? 'dot-bad' : 'dot-warn';

function ServerRow({ server }: { server: McpServer }) {
  return (
    <tr>
      <td>
        <span className={`dot ${stateDot(server)}`} aria-hidden="true" /> <strong>{server.name}</strong>
        <div className="muted small">
          {server.transport}
          {server.required ? ' · required for readiness' : ''}
        </div>
      </td>
      <td>
        {server.state}
        {server.restarts > 0 && <div className="muted small">restarted {server.restarts}×</div>}
      </td>
      <td>
        {server.available.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          <ul className="plain-list">
            {server.available.map((tool) => (
              <li key={tool} className="mono">
                {tool}
              </li>
            ))}
          </ul>
        )}
        {server.missing.length > 0 && (
          <div className="muted small">not listed by the server: {server.missing.join(', ')}</div>
        )}
      </td>
      <td className={server.last_error ? 'form-error small' : 'muted'}>{server.last_error ?? '—'}</td>
    </tr>
  );
}

/** The MCP servers of berth.yaml: their state and the tools agents can use from each. */
export function McpPanel({ servers }: { servers: McpServer[] }) {
  return (
    <section className="card" aria-labelledby="mcp-heading">
      <h2 id="mcp-heading">MCP servers</h2>
      {servers.length === 0 ? (
        <p className="muted small">
          None configured. Add one under <code>mcp.servers</code> in berth.yaml (see docs/mcp.md).
        </p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col">State</th>
                <th scope="col">Tools</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {servers.map((server) => (
                <ServerRow key={server.name} server={server} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
