import { useEffect, useState } from 'react';
import { getJson } from '../api/client';
import { type Me, signOut } from '../api/session';

/** Who is signed in through the identity provider, with a way out; nothing for API keys or open access. */
export function SessionBadge() {
  const [me, setMe] = useState<Me | null>(null);
  const [leaving, setLeaving] = useState(false);
  useEffect(() => {
    let live = true;
    getJson<Me>('/api/me')
      .then((reply) => live && setMe(reply))
      .catch(() => {
        // 401 opens the sign-in prompt; nobody is signed in to show.
      });
    return () => {
      live = false;
    };
  }, []);
  if (me?.via !== 'session') return null;

  async function leave() {
    setLeaving(true);
    try {
      await signOut();
    } finally {
      // A fresh load: every page forgets the user's data, and the prompt asks who comes next.
      window.location.assign('/chat');
    }
  }

  return (
    <div className="session-badge">
      <span className="small muted" title={`${me.role} in tenant ${me.tenant_id}`}>
        Signed in as <strong>{me.user_id}</strong>
      </span>
      <button type="button" className="ghost small" onClick={leave} disabled={leaving}>
        Sign out
      </button>
    </div>
  );
}
