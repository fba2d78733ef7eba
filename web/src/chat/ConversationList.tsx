import type { ConversationSummary } from '../api/types';
import { relativeTime } from '../format';
import { Link } from '../router';

interface Props {
  conversations: ConversationSummary[] | null;
  currentId: string | undefined;
  error: string | null;
  onPick(): void;
}

export function ConversationList({ conversations, currentId, error, onPick }: Props) {
  return (
    <nav className="conversations" aria-label="Conversations">
      <Link href="/chat" className="button new-chat" onClick={onPick}>
        + New chat
      </Link>
      {error && <p className="form-error small">{error}</p>}
      {conversations?.length === 0 && <p className="muted small empty-list">No conversations yet.</p>}
      <ul>
        {conversations?.map((c) => (
          <li key={c.id}>
            <Link
              href={`/chat/${c.id}`}
              className="conversation-link"
              aria-current={c.id === currentId ? 'page' : undefined}
              onClick={onPick}
            >
              <span className="conversation-title">{c.title ?? 'Untitled'}</span>
              <span className="conversation-meta">
                {c.agent} · {relativeTime(c.updated_at)}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
