import { adviceFor } from '../api/advice';
import type { ApiErrorInfo } from '../api/client';
import { UNAUTHORIZED_EVENT } from '../api/client';
import { Link } from '../router';

interface Props {
  error: ApiErrorInfo;
  onRetry?: () => void;
}

/** An error where it happened: what went wrong, what to do, and the id to look it up in the logs. */
export function ErrorNotice({ error, onRetry }: Props) {
  const advice = adviceFor(error);
  return (
    <div className="error-notice" role="alert">
      <p className="error-title">{advice.title}</p>
      <p className="error-message">{error.message}</p>
      <p className="error-hint">{advice.hint}</p>
      <div className="error-actions">
        {advice.action === 'retry' && onRetry && (
          <button type="button" onClick={onRetry}>
            Retry
          </button>
        )}
        {advice.action === 'new-conversation' && (
          <Link href="/chat" className="button">
            New conversation
          </Link>
        )}
        {advice.action === 'key' && (
          <button type="button" onClick={() => window.dispatchEvent(new Event(UNAUTHORIZED_EVENT))}>
            Enter API key
          </button>
        )}
        {error.requestId && <span className="muted small mono">request {error.requestId}</span>}
      </div>
    </div>
  );
}
