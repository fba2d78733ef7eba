import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { getJson, networkError } from '../api/client';
import type { ConversationSummary, Conversations } from '../api/types';
import { useService } from '../service-context';
import { Composer } from './Composer';
import { ConversationList } from './ConversationList';
import { ErrorNotice } from './ErrorNotice';
import { MessageView } from './MessageView';
import { useChat } from './use-chat';

function useConversations() {
  const [list, setList] = useState<ConversationSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(() => {
    getJson<Conversations>('/api/conversations?limit=100')
      .then((body) => {
        setList(body.conversations);
        setError(null);
      })
      .catch((e) => {
        const error = networkError(e);
        // A missing key opens the key prompt; repeating it here would only add noise behind it.
        setError(error.info.code === 'unauthorized' ? null : error.message);
      });
  }, []);
  useEffect(refresh, [refresh]);
  return { list, error, refresh };
}

export function ChatPage({ conversationId }: { conversationId: string | undefined }) {
  const { status } = useService();
  const conversations = useConversations();
  const chat = useChat(conversationId, conversations.refresh);
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const [drawer, setDrawer] = useState(false);
  const current = conversations.list?.find((c) => c.id === conversationId);
  const agents = status?.agents ?? [];
  const agent = conversationId ? current?.agent : (picked ?? agents[0]?.name);
  const agentInfo = agents.find((a) => a.name === agent);

  // Follow the answer as it grows, unless the reader scrolled up to read something else.
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  });
  const onScroll = () => {
    const el = scroller.current;
    if (el) pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  };
  const send = (text: string) => {
    pinned.current = true;
    void chat.send(text, agent);
  };

  return (
    <div className={`chat-layout${drawer ? ' drawer-open' : ''}`}>
      <ConversationList
        conversations={conversations.list}
        currentId={conversationId}
        error={conversations.error}
        onPick={() => setDrawer(false)}
      />
      <section className="chat-main" aria-label="Conversation">
        <div className="chat-header">
          <button
            type="button"
            className="ghost drawer-toggle"
            aria-expanded={drawer}
            onClick={() => setDrawer((open) => !open)}
          >
            ☰ <span className="visually-hidden">Conversations</span>
          </button>
          <label htmlFor="agent-picker" className="muted small">
            Agent
          </label>
          <select
            id="agent-picker"
            value={agent ?? ''}
            disabled={Boolean(conversationId) || agents.length === 0}
            title={conversationId ? 'A conversation keeps the agent it started with' : undefined}
            onChange={(e) => setPicked(e.target.value)}
          >
            {agent && !agents.some((a) => a.name === agent) && <option value={agent}>{agent}</option>}
            {agents.map((a) => (
              <option key={a.name} value={a.name}>
                {a.name}
              </option>
            ))}
          </select>
          {agentInfo && (
            <span className="muted small model-name" title={`version ${agentInfo.version}`}>
              {agentInfo.provider} · {agentInfo.model}
            </span>
          )}
        </div>
        <div className="messages" ref={scroller} onScroll={onScroll} aria-live="polite">
          {chat.loadError && <ErrorNotice error={chat.loadError} />}
          {chat.messages.length === 0 && !chat.loadError && !conversationId && (
            <div className="empty-chat">
              <h1>What can I help with?</h1>
              <p className="muted">
                Ask {agent ? <strong>{agent}</strong> : 'the agent'} something, paste text to summarise, or
                give it a link to summarise as a background task.
              </p>
            </div>
          )}
          {chat.messages.map((m) => (
            <MessageView
              key={m.key}
              message={m}
              conversationId={conversationId}
              agent={agent}
              onRetry={(failed) => chat.retry(failed, agent)}
            />
          ))}
        </div>
        <Composer
          disabled={chat.sending}
          onSend={send}
          placeholder={agent ? `Message ${agent}…` : 'Message…'}
        />
      </section>
    </div>
  );
}
