import { memo } from 'react';
import type { ChatDone } from '../api/types';
import { Markdown } from '../components/Markdown';
import { usd } from '../format';
import { Link } from '../router';
import { ErrorNotice } from './ErrorNotice';
import { offeredUrls, TaskOffer } from './TaskOffer';
import type { ChatMessage } from './use-chat';

interface Props {
  message: ChatMessage;
  conversationId: string | undefined;
  agent: string | undefined;
  onRetry(message: ChatMessage): void;
}

function Meta({ message }: { message: ChatMessage }) {
  const done = message.done;
  // Always one line high, so the bubble does not jump when the answer ends.
  return (
    <p className="message-meta">
      {message.state === 'streaming' && <span className="typing">Answering…</span>}
      {done && (
        <>
          <span title={`agent version ${done.agent_version}`}>{done.model}</span>
          <span title="input tokens / output tokens">
            {done.usage.input_tokens} in · {done.usage.output_tokens} out
          </span>
          {done.usage.cost_usd > 0 && (
            <span title="cost, from the price table">{usd(done.usage.cost_usd)}</span>
          )}
        </>
      )}
      {message.state === 'done' && !done && '\u00a0'}
      {(message.tools ?? []).map((tool) => (
        <span key={tool.id} className={`tool-chip tool-${tool.state}`}>
          {tool.tool}
          {tool.state === 'running' ? '…' : tool.state === 'failed' ? ' failed' : ''}
        </span>
      ))}
    </p>
  );
}

/** The side-effecting calls the model made: none ran; each is a task waiting for an operator. */
function ProposedActions({ approvals }: { approvals: ChatDone['approvals'] }) {
  if (approvals.length === 0) return null;
  return (
    <ul className="step-approval" aria-label="Waiting for approval">
      {approvals.map((approval) => (
        <li key={approval.approval_id}>
          <span className="mono">{approval.tool}</span> waits for an operator to approve its exact arguments;
          nothing is sent before. <Link href={`/approvals?task=${approval.task_id}`}>Open its approval</Link>
        </li>
      ))}
    </ul>
  );
}

export const MessageView = memo(function MessageView({ message, conversationId, agent, onRetry }: Props) {
  if (message.role === 'user') {
    return (
      <article className="message message-user" aria-label="You">
        <p className="message-text">{message.content}</p>
      </article>
    );
  }
  const urls = message.state === 'done' ? offeredUrls(message.content) : [];
  return (
    <article
      className="message message-assistant"
      aria-label="Assistant"
      aria-busy={message.state === 'streaming'}
    >
      {message.content ? (
        <Markdown text={message.content} />
      ) : (
        message.state === 'streaming' && <div className="placeholder-line" aria-hidden="true" />
      )}
      {message.error && <ErrorNotice error={message.error} onRetry={() => onRetry(message)} />}
      {message.done && <ProposedActions approvals={message.done.approvals} />}
      {urls.length > 0 && <TaskOffer urls={urls} conversationId={conversationId} agent={agent} />}
      {message.state !== 'error' && <Meta message={message} />}
    </article>
  );
});
