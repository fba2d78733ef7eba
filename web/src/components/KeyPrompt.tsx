import { type FormEvent, useEffect, useRef, useState } from 'react';
import { setKey } from '../api/key';
import { type AuthConfig, forgetSignInError, loadAuthConfig, signInError, signInHref } from '../api/session';

interface Props {
  /** The key that was tried and refused, if the prompt opened because of it. */
  rejected: boolean;
  onAccepted(): void;
}

/**
 * Asks for an API key once per browser session and checks it before keeping it; when Berth has an
 * identity provider, offers to sign in with it first.
 */
export function KeyPrompt({ rejected, onAccepted }: Props) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(
    () => signInError() ?? (rejected ? 'The saved key was not accepted. Enter another one.' : null),
  );
  const [checking, setChecking] = useState(false);
  const [auth, setAuth] = useState<AuthConfig | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  useEffect(forgetSignInError, []);
  useEffect(() => {
    let live = true;
    void loadAuthConfig().then((config) => live && setAuth(config));
    return () => {
      live = false;
    };
  }, []);
  const sso = auth?.oidc ? auth : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const key = value.trim();
    if (!key) return;
    setChecking(true);
    setError(null);
    try {
      // Checked with a plain fetch so a wrong key does not re-trigger the prompt.
      const response = await fetch('/api/agents', { headers: { authorization: `Bearer ${key}` } });
      if (response.status === 401) {
        setError('That key was not accepted. Check it and try again.');
      } else if (!response.ok) {
        setError(`Berth answered ${response.status}; try again in a moment.`);
      } else {
        setKey(key);
        onAccepted();
      }
    } catch {
      setError('Berth could not be reached. Is it running?');
    } finally {
      setChecking(false);
    }
  }

  return (
    <div className="modal-backdrop">
      <form className="modal" onSubmit={submit} aria-labelledby="key-title">
        <h1 id="key-title">{sso ? 'Sign in to Berth' : 'API key needed'}</h1>
        {sso ? (
          <>
            <a className="button primary sso-button" href={signInHref(sso)}>
              Sign in with {sso.provider_name}
            </a>
            <p className="muted small sso-or">or use an API key, kept in this browser tab for the session</p>
          </>
        ) : (
          <p className="muted">
            This Berth requires an API key. It is kept in this browser tab for the session and sent with every
            request.
          </p>
        )}
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          ref={input}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'key-error' : undefined}
        />
        <p id="key-error" className="form-error" role="alert">
          {error ?? '\u00a0'}
        </p>
        <div className="modal-actions">
          <button type="submit" className="primary" disabled={checking || !value.trim()}>
            {checking ? 'Checking…' : 'Continue'}
          </button>
        </div>
        <p className="muted small">
          An operator can create a key with <code>npx berth keys create &lt;name&gt;</code>.
        </p>
      </form>
    </div>
  );
}
