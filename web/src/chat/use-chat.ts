import { useEffect, useRef, useState } from 'react';
import { type ApiErrorInfo, authHeaders, errorFrom, getJson, networkError } from '../api/client';
import { readSse } from '../api/sse';
import type { ChatDone, ChatEvents, ChatRequest, Conversation, StoredMessage } from '../api/types';
import { navigate } from '../router';

export interface ToolActivity {
  id: string;
  tool: string;
  state: 'running' | 'ok' | 'failed';
}

export interface ChatMessage {
  key: string;
  role: 'user' | 'assistant';
  content: string;
  state: 'streaming' | 'done' | 'error';
  done?: ChatDone;
  error?: ApiErrorInfo;
  tools?: ToolActivity[];
  /** The user message this answers, for retry. */
  prompt?: string;
}

let nextKey = 0;
const newKey = () => `m${++nextKey}`;

const fromStored = (m: StoredMessage): ChatMessage => ({
  key: newKey(),
  role: m.role,
  content: m.content,
  state: 'done',
});

/** One conversation: its messages, loading, and sending with a streamed answer. */
export function useChat(conversationId: string | undefined, onConversationChange: () => void) {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [loadError, setLoadError] = useState<ApiErrorInfo | null>(null);
  const [sending, setSending] = useState(false);
  // The conversation this page just created: its messages are already on screen, do not reload them.
  const ownConversation = useRef<string | undefined>(undefined);

  useEffect(() => {
    setLoadError(null);
    if (!conversationId) {
      ownConversation.current = undefined;
      setMessages([]);
      return;
    }
    if (conversationId === ownConversation.current) return;
    const abort = new AbortController();
    setMessages([]);
    getJson<Conversation>(`/api/conversations/${conversationId}`, abort.signal)
      .then((body) => setMessages(body.messages.map(fromStored)))
      .catch((error) => {
        if ((error as Error).name !== 'AbortError') setLoadError(networkError(error).info);
      });
    return () => abort.abort();
  }, [conversationId]);

  const update = (key: string, change: (m: ChatMessage) => ChatMessage) =>
    setMessages((all) => all.map((m) => (m.key === key ? change(m) : m)));

  async function send(text: string, agent: string | undefined) {
    const answerKey = newKey();
    setMessages((all) => [
      ...all,
      { key: newKey(), role: 'user', content: text, state: 'done' },
      { key: answerKey, role: 'assistant', content: '', state: 'streaming', prompt: text, tools: [] },
    ]);
    setSending(true);
    const fail = (error: ApiErrorInfo) => update(answerKey, (m) => ({ ...m, state: 'error', error }));
    const body: ChatRequest = {
      message: text,
      ...(conversationId ? { conversation_id: conversationId } : { agent }),
    };
    try {
      const response = await fetch('/api/chat', {
        method: 'POST',
        headers: { ...authHeaders(), 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify(body),
      });
      if (!response.ok) return fail((await errorFrom(response)).info);
      let finished = false;
      for await (const { event, data } of readSse(response)) {
        finished = handleEvent(event, data, answerKey) || finished;
      }
      if (!finished)
        fail({ code: 'network_error', message: 'The answer stopped before it finished', status: 0 });
    } catch (error) {
      fail(networkError(error).info);
    } finally {
      setSending(false);
      onConversationChange();
    }
  }

  /** Applies one stream event; true when the turn ended (done or error). */
  function handleEvent(event: string, data: unknown, key: string): boolean {
    switch (event) {
      case 'start': {
        const id = (data as ChatEvents['start']).conversation_id;
        if (id && id !== conversationId) {
          ownConversation.current = id;
          navigate(`/chat/${id}`, { replace: !conversationId });
          onConversationChange();
        }
        return false;
      }
      case 'token': {
        const { delta } = data as ChatEvents['token'];
        update(key, (m) => ({ ...m, content: m.content + delta }));
        return false;
      }
      case 'tool_call': {
        const call = data as ChatEvents['tool_call'];
        update(key, (m) => ({
          ...m,
          tools: [...(m.tools ?? []), { id: call.id, tool: call.tool, state: 'running' }],
        }));
        return false;
      }
      case 'tool_result': {
        const result = data as ChatEvents['tool_result'];
        update(key, (m) => ({
          ...m,
          tools: (m.tools ?? []).map((t) =>
            t.id === result.id ? { ...t, state: result.ok ? 'ok' : 'failed' } : t,
          ),
        }));
        return false;
      }
      case 'done': {
        const done = data as ChatEvents['done'];
        update(key, (m) => ({ ...m, content: done.response, state: 'done', done }));
        return true;
      }
      case 'error': {
        // Read leniently: readSse hands over the raw text when an event's data is not JSON.
        const error: Partial<ChatEvents['error']['error']> =
          (data as Partial<ChatEvents['error']>).error ?? {};
        update(key, (m) => ({
          ...m,
          state: 'error',
          error: {
            code: error.code ?? 'internal_error',
            message: error.message ?? 'The answer failed',
            status: 0,
            requestId: error.request_id,
          },
        }));
        return true;
      }
      default:
        return false;
    }
  }

  /** Drops a failed answer (and its question) and asks again. */
  const retry = (message: ChatMessage, agent: string | undefined) => {
    if (!message.prompt) return;
    setMessages((all) => {
      const at = all.findIndex((m) => m.key === message.key);
      return at > 0 ? all.slice(0, at - 1) : all;
    });
    void send(message.prompt, agent);
  };

  return { messages, loadError, sending, send, retry };
}
